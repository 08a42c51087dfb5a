/**
 * Which lines want the person's attention: every private message, and any
 * chat, action or block of someone else that mentions their name as a
 * whole word, in any case. render.ts highlights them, tty.ts rings the bell for them.
 * Pure.
 */

import { nameKey } from "../../protocol/names.ts";
import type { Shown } from "./shown.ts";

/** `text` as a regular expression that matches it literally. */
export const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** What counts as inside a word: a name's letters, marks, digits and "_". */
const WORD = "[\\p{L}\\p{M}\\p{Nd}_]";

/**
 * Where `name` is mentioned as a whole word (global, any case). Names may
 * hold "." and "-", so "ana." and "ana-" at a sentence's end mention ana,
 * while "ana-maria" and "ana.b", someone else's names, do not.
 */
export function mentionPattern(name: string): RegExp {
  const escaped = literal(name.normalize("NFC"));
  return new RegExp(`(?<!${WORD}|${WORD}[.\\-])${escaped}(?!${WORD}|[.\\-]${WORD})`, "giu");
}

/** Whether `text` mentions `name` as a whole word, in any case. */
export function mentions(text: string, name: string): boolean {
  if (name === "") return false;
  return mentionPattern(name).test(text.normalize("NFC"));
}

export type Attention = "private" | "mention" | null;

/**
 * Why a line wants the attention of `self`: a private message to them, or a
 * live line of someone else's naming them. Lines replayed from history and
 * one's own lines never do.
 */
export function attention(shown: Shown, self: string): Attention {
  if (shown.kind === "private-from") return "private";
  if (shown.kind !== "chat" && shown.kind !== "action") return null;
  if (self === "" || nameKey(shown.name) === nameKey(self)) return null;
  return mentions(shown.text, self) ? "mention" : null;
}

/**
 * Why a block (protocol/block.ts) wants the attention of `self`: a live one
 * of someone else's that names them in any of its lines, as a line would.
 * A block reaches the display whole (blocks.ts), not as a chat line to classify.
 */
export function blockAttention(
  from: string,
  lines: readonly string[],
  self: string,
  history: boolean,
): Attention {
  if (history || self === "" || nameKey(from) === nameKey(self)) return null;
  return lines.some((line) => mentions(line, self)) ? "mention" : null;
}

/** Whether to ring the terminal bell for a line: when it wants attention, unless --no-bell. */
export function rings(shown: Shown, self: string, bell: boolean): boolean {
  return bell && attention(shown, self) !== null;
}
