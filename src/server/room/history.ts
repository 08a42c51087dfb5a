/**
 * The room's last lines, for newcomers: what members said (never notices),
 * each with its sayer, when it was said and its position in the log, at
 * most a set number, oldest first. A newcomer reads them before it joins
 * (session/lifecycle.ts); a server coming back fills them from its record
 * or from the other servers of the room.
 */

import type { Spoken } from "./dialects.ts";
import type { Wire } from "./log.ts";

/** One remembered line: what was said (the v1 line), by whom, when (ms since the epoch), at which position. */
export interface Said {
  readonly at: number;
  readonly line: string;
  readonly from: string;
  /** Null for a line from before this server's log with no position (an old stream entry). */
  readonly pos: Wire | null;
}

export class History {
  private readonly said: Said[] = [];

  /** @param max lines kept; 0 keeps none (--history). */
  constructor(private readonly max: number) {}

  /** Keep a line said at `at` (ms since the epoch), at position `pos`; the oldest goes past `max`. */
  remember(line: Spoken, at: number, pos: Wire | null): void {
    if (this.max <= 0) return;
    // NOTE: shift() on a short array; at the default 50 lines a ring buys nothing.
    if (this.said.length >= this.max) this.said.shift();
    this.said.push({ at, line: line.text, from: line.from, pos });
  }

  /** The remembered lines, oldest first. */
  lines(): readonly Said[] {
    return this.said;
  }
}
