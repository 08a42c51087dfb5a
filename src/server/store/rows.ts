/**
 * A turn's lines as one row of the room's database keeps them, and read
 * back: the row's codec, pure, shared by the store (sqlite.ts), the reader
 * of transcripts (read.ts) and the export.
 */

import type { Notice } from "../../protocol/messages.ts";
import { render, SERVER_TEXT } from "../../protocol/messages.ts";
import { isSpoken, type Line } from "../room/dialects.ts";
import type { Recorded } from "../room/journal.ts";

/** One line as kept: when, what kind, who said it, its text (English), and a notice's key and arguments. */
export interface StoredLine {
  readonly at: number;
  readonly kind: "chat" | "action" | "notice";
  /** The sayer's name; "" for a notice. */
  readonly from: string;
  /** The v1 line as members read it in English ("<ana> hi", "* ana joined"). */
  readonly text: string;
  /** A notice's template key and arguments, so it can be worded in any language. */
  readonly notice?: Notice;
}

/** One turn as kept: the epoch and position of its first line, and its lines. */
export interface StoredTurn {
  readonly epoch: string;
  readonly first: number;
  readonly lines: readonly StoredLine[];
}

/**
 * A turn's lines as a row keeps them, compactly (a turn is one row, its
 * lines one JSON array): each line is [t, k, from, text, key?, args?] where
 * t is the first line's time (ms since the epoch) and each later one's ms
 * after the line before; k is "c" (chat) or "a" (action) with text the
 * words after "<from> " or "* <from> ", "C" or "A" with the whole line (one
 * that does not start so), or "n" (a notice: its English text, its key and
 * arguments, so that it can be worded again in any language).
 */
export function encodeLines(lines: readonly Recorded[]): string {
  // Built as text: this runs on the relay's thread for every turn.
  let out = "[";
  let before = 0;
  for (let i = 0; i < lines.length; i++) {
    const r = lines[i] as Recorded;
    const t = i === 0 ? r.at : r.at - before;
    before = r.at;
    const line: Line = r.line;
    if (i > 0) out += ",";
    if (typeof line === "string") out += `[${t},"n","",${JSON.stringify(line)}]`;
    else if (isSpoken(line)) {
      const chat = line.kind === "chat";
      const head = chat ? `<${line.from}> ` : `* <${line.from}> `;
      const short = line.text.startsWith(head);
      const k = chat ? (short ? "c" : "C") : short ? "a" : "A";
      const words = short ? line.text.slice(head.length) : line.text;
      out += `[${t},"${k}",${JSON.stringify(line.from)},${JSON.stringify(words)}]`;
    } else {
      const text = JSON.stringify(render(SERVER_TEXT.en, line));
      out += `[${t},"n","",${text},${JSON.stringify(line.key)},${JSON.stringify(line.args)}]`;
    }
  }
  return `${out}]`;
}

/** A row's lines read back; null when they are not what the store writes. */
export function decodeLines(text: string): StoredLine[] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  const out: StoredLine[] = [];
  let at = 0;
  for (const item of value) {
    if (!Array.isArray(item)) return null;
    const [t, k, from, words, key, args] = item as unknown[];
    if (typeof t !== "number" || typeof from !== "string" || typeof words !== "string") return null;
    at = out.length === 0 ? t : at + t;
    if (k === "c" || k === "C") {
      out.push({ at, kind: "chat", from, text: k === "c" ? `<${from}> ${words}` : words });
    } else if (k === "a" || k === "A") {
      out.push({ at, kind: "action", from, text: k === "a" ? `* <${from}> ${words}` : words });
    } else if (k === "n") {
      const notice =
        typeof key === "string" && Array.isArray(args)
          ? ({ key, args } as unknown as Notice)
          : undefined;
      out.push(
        notice === undefined
          ? { at, kind: "notice", from: "", text: words }
          : { at, kind: "notice", from: "", text: words, notice },
      );
    } else return null;
  }
  return out;
}
