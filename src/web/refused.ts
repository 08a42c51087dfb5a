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

/** The last line sent, until the server refuses it or another is sent. */
export class Unsaid {
  #last: string | null = null;

  sent(line: string): void {
    this.#last = line;
  }

  /**
   * The line `reply` refuses, given back once; null for any other line. The
   * server names the refused line (`unsaid`) where it can: lines sent since
   * may be on their way, and the last one is not always the one refused.
   */
  refused(reply: ServerLine): string | null {
    if (reply.kind !== "reply" || !REFUSALS.has(reply.tags.ev ?? "")) return null;
    // A refusal that does not name its line (an operator's command to nobody) gives nothing
    // back: the line sent last may well have been said.
    const named = reply.tags.unsaid;
    if (named === undefined) return null;
    if (named === this.#last) this.#last = null;
    return named;
  }
}

/**
 * Where the refused `line` goes: into the box when it is empty (or holds
 * the same line); when something new is being typed it stays there, and the
 * refused line is one Up away in the box's history, where every sent line is.
 */
export function restored(current: string, line: string): string | null {
  return current.trim() === "" || current === line ? line : null;
}
