/**
 * What a line for everyone is, and its text in each dialect. A dialect is
 * a language and a protocol version: v1 reads the plain line, v2 the same
 * line with its tags in front (position, time, kind, sayer). The fan-out
 * encodes a turn once per dialect read in the room (turn.ts); this module
 * only says what the text is. Pure.
 */

import { isBlockText, partTag } from "../../protocol/block.ts";
import { LANGS, type Lang } from "../../protocol/lang.ts";
import { type Notice, render, SERVER_TEXT } from "../../protocol/messages.ts";
import { tagged } from "../../protocol/tags.ts";

/**
 * A member's own line for everyone: `text` is the v1 line ("<ana> hi", "* <ana> waves"),
 * or a block's v1 lines with a "\n" between each (protocol/block.ts): one line of the log.
 */
export interface Spoken {
  readonly kind: "chat" | "action";
  readonly from: string;
  readonly text: string;
  /** Said by an operator: version 2 marks it `op` (the v1 line keeps its shape). */
  readonly op?: boolean;
}

/** A line for everyone: a member's words, a notice each reads in their language, or plain text. */
export type Line = Spoken | Notice | string;

export function isSpoken(line: Line): line is Spoken {
  return typeof line === "object" && "from" in line;
}

/** Dialects: a language and a protocol version; index = language index * 2 + (v2 ? 1 : 0). */
export const DIALECTS = LANGS.length * 2;

export function dialectOf(lang: Lang, v2: boolean): number {
  return LANGS.indexOf(lang) * 2 + (v2 ? 1 : 0);
}

const langOf = (dialect: number): Lang => LANGS[dialect >> 1] as Lang;
/** Whether a dialect is protocol version 2's, the only one that shows positions. */
export const isV2 = (dialect: number): boolean => (dialect & 1) === 1;

/**
 * A line's text in a dialect: the v1 line, with its tags in front for v2
 * (its position `pos`, "EPOCH.SEQ", if it has one; said at `at` ms since the epoch).
 */
export function textIn(dialect: number, line: Line, pos: string | undefined, at: number): string {
  const v1 =
    typeof line === "string"
      ? line
      : isSpoken(line)
        ? line.text
        : render(SERVER_TEXT[langOf(dialect)], line);
  if (!isV2(dialect)) return v1;
  const time = iso(at);
  if (typeof line === "string") return tagged({ kind: "notice", pos, time }, v1);
  if (isSpoken(line)) {
    const op = line.op === true ? "" : undefined;
    if (!isBlockText(v1)) return tagged({ kind: line.kind, pos, time, from: line.from, op }, v1);
    // A block: each of its lines tagged, with which part of how many it is.
    const lines = v1.split("\n");
    const n = lines.length;
    const tags = (k: number) => ({
      kind: line.kind,
      pos,
      time,
      from: line.from,
      op,
      part: partTag(k, n),
    });
    return lines.map((text, i) => tagged(tags(i + 1), text)).join("\n");
  }
  return tagged({ kind: "notice", pos, time, ev: line.key, args: JSON.stringify(line.args) }, v1);
}

// NOTE: a turn's lines mostly share their millisecond: its ISO text is built once for them all.
let lastAt = -1;
let lastIso = "";

function iso(at: number): string {
  if (at !== lastAt) {
    lastAt = at;
    lastIso = new Date(at).toISOString();
  }
  return lastIso;
}
