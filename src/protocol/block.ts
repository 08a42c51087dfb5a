/**
 * Blocks: several lines said as one message, so that pasted code keeps its
 * lines, indentation and blank lines (docs/protocol.md, "Blocks"). Pure, for
 * the server and both clients (the terminal's and the web page's).
 *
 * On the wire a block is one line per line of it, each `<ana> | line`
 * (`<ana> |` for a blank one), so `nc` users read it as it was written; a
 * version 2 line carries `part=K/N` too, and its N lines always come one
 * after the other. Inside the server a block is one room line whose v1
 * text holds a "\n" between those lines: no other line can, since the
 * decoder splits at every newline.
 *
 * Sending: a papo client sends `@block=N`, then the N lines; anyone (`nc`)
 * may send a line of three backticks, the lines, and another such line.
 */

import { BLOCK } from "./limits.ts";
import { sanitize } from "./sanitize.ts";
import type { Tags } from "./tags.ts";

/** Three backticks: a line of them alone opens a block when typed, and the next such line closes it. */
export const FENCE = "```";

/** A line that opens a block: three backticks, maybe followed by a language name ("```ts"). */
export function opensBlock(line: string): boolean {
  return /^\s*```[\w+#.-]*\s*$/.test(line);
}

/** A line that closes a block opened with {@link opensBlock}: three backticks alone. */
export function closesBlock(line: string): boolean {
  return line.trim() === FENCE;
}

/** The line a papo client sends before a block's `count` lines. */
export function blockHeader(count: number): string {
  return `@block=${count}`;
}

/** The count of a {@link blockHeader} line; null for any other line. */
export function parseBlockHeader(line: string): number | null {
  const m = /^@block=(\d{1,9})$/.exec(line);
  return m === null ? null : Number(m[1]);
}

/** What a papo client sends for a block: its header, then its lines. */
export function encodeBlock(lines: readonly string[]): string[] {
  return [blockHeader(lines.length), ...lines];
}

/**
 * What a papo client sends for one line it means as text: the line, or,
 * when the server would take it for the start of a block (a typed
 * `@block=3`, or a lone line of three backticks sent as it is), a block of
 * that one line, which the server says as an ordinary message. The
 * clients gather a ``` block themselves; a fence that reaches the server
 * raw would open a block there and swallow the lines after it.
 */
export function encodeTyped(line: string): string[] {
  const text = sanitize(line);
  return /^@block=\d+$/.test(text) || opensBlock(text) ? encodeBlock([line]) : [line];
}

/** Why a block cannot be sent as it is. */
export type BlockProblem =
  | { kind: "lines"; lines: number; max: number }
  | { kind: "bytes"; bytes: number; max: number }
  /** One of its lines is over the server's line limit. */
  | { kind: "line"; bytes: number; max: number };

/** Bytes of a block's lines in UTF-8 with one newline between each, as {@link BLOCK}.maxBytes counts them. */
export function blockBytes(lines: readonly string[]): number {
  let bytes = Math.max(0, lines.length - 1);
  for (const line of lines) bytes += utf8Bytes(line);
  return bytes;
}

/** UTF-8 length of `text`, without encoding it (the page has no Buffer). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Whether a block fits the protocol's limits (and `maxLineBytes` a line); null when it does. */
export function checkBlock(lines: readonly string[], maxLineBytes?: number): BlockProblem | null {
  if (lines.length > BLOCK.maxLines)
    return { kind: "lines", lines: lines.length, max: BLOCK.maxLines };
  const bytes = blockBytes(lines);
  if (bytes > BLOCK.maxBytes) return { kind: "bytes", bytes, max: BLOCK.maxBytes };
  if (maxLineBytes !== undefined)
    for (const line of lines) {
      const size = utf8Bytes(line);
      if (size > maxLineBytes) return { kind: "line", bytes: size, max: maxLineBytes };
    }
  return null;
}

/** Text split into lines at "\n", "\r\n" or "\r" (a paste from any terminal or system). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The lines without the blank ones at either end (a paste's last newline, a fence's padding). */
export function trimBlock(lines: readonly string[]): string[] {
  let from = 0;
  let to = lines.length;
  while (from < to && (lines[from] as string).trim() === "") from++;
  while (to > from && (lines[to - 1] as string).trim() === "") to--;
  return lines.slice(from, to);
}

/** One line of `name`'s block as v1 readers read it: `<ana> | line`, or `<ana> |` when blank. */
export function blockLine(name: string, line: string): string {
  return line === "" ? `<${name}> |` : `<${name}> | ${line}`;
}

/** The v1 text of a block `name` said: its lines as {@link blockLine}, a "\n" between each. */
export function blockText(name: string, lines: readonly string[]): string {
  return lines.map((line) => blockLine(name, line)).join("\n");
}

/** Whether a room line's v1 text is a block's (it holds more than one line). */
export function isBlockText(text: string): boolean {
  return text.includes("\n");
}

/** One block line back from its v1 form; null when it is not one of `name`'s. */
export function blockContent(v1: string, name: string): string | null {
  const head = `<${name}> |`;
  if (!v1.startsWith(head)) return null;
  if (v1.length === head.length) return "";
  return v1.charCodeAt(head.length) === 0x20 ? v1.slice(head.length + 1) : null;
}

/** A block's lines back from its v1 text ({@link blockText}); null when it is not `name`'s block. */
export function blockLines(text: string, name: string): string[] | null {
  const out: string[] = [];
  for (const v1 of text.split("\n")) {
    const line = blockContent(v1, name);
    if (line === null) return null;
    out.push(line);
  }
  return out;
}

/** The `part` tag of line `k` (from 1) of a block of `n` lines. */
export function partTag(k: number, n: number): string {
  return `${k}/${n}`;
}

/** A `part` tag read back; null when it is not one. */
export function parsePart(value: string | undefined): { k: number; n: number } | null {
  if (value === undefined) return null;
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(value);
  if (m === null) return null;
  const k = Number(m[1]);
  const n = Number(m[2]);
  return k >= 1 && k <= n ? { k, n } : null;
}

/** What a line is to a {@link BlockReader}. */
export type BlockRead =
  /** Not part of a block: show it as it is. */
  | { kind: "line" }
  /** A part of a block whose later parts are still to come. */
  | { kind: "more" }
  /** The block's last part: its lines, and the v1 lines they came in (what a plain reader shows). */
  | { kind: "block"; lines: string[]; texts: string[] };

/**
 * Puts a block's version 2 lines back together: feed it every line read
 * (its tags and text), in order; it says when a block is whole. A part that
 * does not follow the one before (a broken server) starts again, and a
 * part whose text is not its sayer's block line is read as a plain line.
 */
export class BlockReader {
  private lines: string[] = [];
  private texts: string[] = [];
  private next = 1;
  private from = "";

  /** `tags` of the line and its TEXT; a history line's block line is read from its `line` tag. */
  read(tags: Tags, text: string): BlockRead {
    const part = parsePart(tags.part);
    if (part === null) {
      this.reset();
      return { kind: "line" };
    }
    const from = tags.from ?? "";
    const line = blockContent(tags.line ?? text, from);
    if (line === null || (part.k !== 1 && (part.k !== this.next || from !== this.from))) {
      this.reset();
      return { kind: "line" };
    }
    if (part.k === 1) this.reset();
    this.from = from;
    this.lines.push(line);
    this.texts.push(text);
    this.next = part.k + 1;
    if (part.k < part.n) return { kind: "more" };
    const whole: BlockRead = { kind: "block", lines: this.lines, texts: this.texts };
    this.lines = [];
    this.texts = [];
    this.next = 1;
    return whole;
  }

  private reset(): void {
    if (this.lines.length > 0) {
      this.lines = [];
      this.texts = [];
    }
    this.next = 1;
  }
}
