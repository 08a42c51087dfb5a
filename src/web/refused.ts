/**
 * A line (or a block) the page sent that the server did not say: muted,
 * under slow or quiet mode, too long, or a private line that could not be
 * delivered. The
 * server's reply (protocol v2, `kind=reply` with `ev=KEY`, the template's key
 * in protocol/messages.ts) follows the line it refuses; the page then gives
 * the line back to the input so nothing typed is lost, as the terminal
 * client keeps it. Pure.
 */

import type { ServerLine } from "../client/core/meaning.ts";

/**
 * The replies that mean "your line was not said". Not slowDown: its lines
 * are delayed, never dropped.
 */
export const REFUSALS: ReadonlySet<string> = new Set([
  "mutedYou",
  "slowMode",
  "quietMode",
  "lineTooLong",
  "tooMuchInput",
  "notReading",
  "noSuchUser",
  "blockTooLong",
  "blockLineTooLong",
]);

/**
 * The line `reply` refuses, as the server names it (`unsaid`: lines sent
 * since may be on their way, so the last one is not always the one
 * refused); null for any other reply, and for a refusal that names no line
 * (an operator's command to nobody), since the line sent last may well have
 * been said.
 */
export function refusedLine(reply: ServerLine): string | null {
  if (reply.kind !== "reply" || !REFUSALS.has(reply.tags.ev ?? "")) return null;
  return reply.tags.unsaid ?? null;
}

/**
 * Where the refused `line` goes: into the box when it is empty (or holds
 * the same line); when something new is being typed it stays there, and the
 * refused line is one Up away in the box's history, where every sent line is.
 */
export function restored(current: string, line: string): string | null {
  return current.trim() === "" || current === line ? line : null;
}
