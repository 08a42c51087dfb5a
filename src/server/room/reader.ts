/**
 * What the fan-out keeps for one reader: its position in the room's log and
 * the lines for it alone. A reader that keeps up holds two numbers and
 * nothing else; a reader behind holds the same two numbers (never a copy of
 * room lines) and, when its socket stopped inside a line, the rest of that
 * one line. The server's Client *is* a Reader (a subclass rather than a
 * field, one object less per connection).
 */

import type { Sink } from "../../net/outbox.ts";

/** A line for this reader alone, to be written before the room line at position `before`. */
export interface Queued {
  before: number;
  readonly bytes: Uint8Array;
  /** How much of it was written already. */
  off: number;
  /** The rest of a room line its socket stopped inside: on a resume the log sends the whole line. */
  readonly rest?: true;
  /** The line saying how many room lines it missed past the window: this many. */
  readonly missed?: number;
}

export class Reader<S extends Sink = Sink> {
  /** Position of the next room line to write it; `next >= until` means it does not follow the room. */
  next = 0;
  /**
   * One past the last position it is owed: 0 before it joins, +Infinity while
   * a member, -1 once a write found its socket closed ({@link socketClosed}).
   */
  until = 0;
  /** Its own lines waiting, in order; null while there are none (the common case). */
  queue: Queued[] | null = null;
  /** Bytes of `queue` not yet written. */
  queuedBytes = 0;
  /** Its id as the sayer of lines in the log (they are not sent back to it); 0 before joining. */
  id = 0;
  /** Position of the first line it may be sent (where it joined): a resume never goes before it. */
  since = 0;
  /** Which dialect it reads (dialects.ts's dialectOf). */
  dialect = 0;
  /** When its socket last took a byte while it was behind (performance.now() ms). */
  lastTaken = 0;
  /** In the fan-out's set of members behind (only those need `lastTaken`). */
  behind = false;
  /** Its connection is gone but it may resume: lines for it are kept, nothing is written. */
  away = false;
  /**
   * The number of the fan-out's turn in which it was last touched (it said a
   * line, was told one, or joined), which takes it off that turn's fast path:
   * a field rather than a set, since every delivery asks it of every member.
   */
  touchedIn = 0;
  /** The indices of its own lines in the turn being gathered (turn.ts), while it said any; else null. */
  ownInTurn: number[] | null = null;

  constructor(protected readonly sink: S) {}

  /** Bytes taken by the socket (possibly fewer), or -1 once it is closed. */
  write(bytes: Uint8Array, offset: number, length: number): number {
    return this.sink.write(bytes, offset, length);
  }

  enqueue(line: Queued): void {
    if (this.queue === null) this.queue = [line];
    else this.queue.push(line);
    this.queuedBytes += line.bytes.length - line.off;
  }

  /** A line that must go before everything else queued (the rest of a cut line, a notice). */
  pushFront(line: Queued): void {
    if (this.queue === null) this.queue = [line];
    else this.queue.unshift(line);
    this.queuedBytes += line.bytes.length - line.off;
  }

  /**
   * A write found its socket closed, its close event still on its way:
   * nothing more is written to it. Its place stays after the last line it
   * took and its queue (the rest of a cut line, private lines) as it is, for
   * a resume to pick up; the close forgets them if it does not resume.
   */
  socketClosed(): void {
    this.until = -1;
  }

  /** A write found its socket closed ({@link socketClosed}): it is owed nothing more. */
  get writesClosed(): boolean {
    return this.until === -1;
  }

  /** Forget everything owed (the connection is gone or being cut). */
  drop(): void {
    this.queue = null;
    this.queuedBytes = 0;
    this.until = Math.min(this.until, this.next);
  }
}
