/**
 * The room's fan-out: how lines reach members.
 *
 * {@link Fanout} is the small contract the room talks to. {@link LocalFanout}
 * is the batching engine behind it for one process: every line of an
 * event-loop turn is encoded once into a shared arena, and when the turn ends
 * each member it concerns gets the turn in one write. Members that took no
 * part in the turn are handed the very same bytes; senders (who must not hear
 * their own lines) and receivers of a direct line get the arena's ranges that
 * are theirs, gathered into one write when they are small and written range
 * by range when they are large (a copy of a big turn per sender costs more
 * than a second write). Outboxes copy only what the kernel did not take, so
 * the arena is reused every turn and a slow reader pins none of it.
 *
 * In a room over several servers, the room tells the others through its
 * Peers (peers.ts) and delivers what they say through this same engine:
 * the fan-out never learns where a line came from.
 */

import { Sent } from "../../net/outbox.ts";
import { type Notice, render, SERVER_TEXT, type ServerText } from "../../protocol/messages.ts";

/** The fan-out's buffers. */
export const FANOUT = {
  /** Starting size of the arena a turn's lines are encoded into. */
  minArenaBytes: 16 * 1024,
  /** A member's share up to this size is gathered into one write; larger, one write per piece. */
  gatherBytes: 16 * 1024,
  /** Per-turn bookkeeping objects kept for reuse. */
  spareMarks: 1024,
} as const;

/** A line for everyone: the same text for all (chat), or a notice each reads in their language. */
export type Line = string | Notice;

/** A member as the fan-out sees it: somewhere to send bytes. */
export interface Recipient {
  /** Copies what it cannot write now: the caller may reuse `bytes` at once. */
  send(bytes: Uint8Array): Sent;
}

export interface Fanout<M> {
  /** A line for every member, except `from` (a sender does not hear itself). */
  toAll(line: Line, from?: M): void;
  /**
   * A line for one member or one connection not yet in the room, in order
   * with the rest; already in its language.
   */
  toOne(member: M, line: string): void;
  /** `member` has just joined: it gets only lines queued from now on. */
  admit(member: M): void;
  /**
   * `member` is leaving (still in the set) or a connection not in the room is
   * closing: hand it what this turn owes it now, then forget it.
   */
  release(member: M): void;
  /** Deliver the turn now instead of at the end of the event-loop turn. */
  flush(): void;
  /** The turn holds as many bytes as one turn may: leave further input for the next. */
  readonly full: boolean;
}

/** Which members of a shared set one engine serves (see LanguageFanout). */
export interface Audience<M> {
  /** Whether members this engine does not serve are in the set at all. */
  mixed(): boolean;
  reads(member: M): boolean;
}

/** What one delivered turn showed, for the room to act on. Valid only during the call. */
export interface TurnReport<M> {
  /** Members whose backlog passed its cap: to evict. */
  readonly slow: readonly M[];
  /** Members whose send threw (a bug, never the member's doing): to cut, with the error. */
  readonly failed: ReadonlyArray<readonly [M, unknown]>;
  /** Members left with a backlog under the cap. */
  readonly queued: readonly M[];
  /** Members who sent lines to everyone in this turn. */
  readonly senders: readonly M[];
}

/** What a turn owes one member that differs from the shared bytes. */
interface Marks {
  /** Arena offset where this member's share starts (it joined mid-turn). */
  from: number;
  /** [start, end) arena ranges of its own lines, which it must not receive. */
  own: number[];
  /** Lines for it alone, each placed at the arena offset when it was queued. */
  direct: Array<{ at: number; bytes: Uint8Array }>;
}

const NL = 0x0a;
const encoder = new TextEncoder();

export class LocalFanout<M extends Recipient> implements Fanout<M> {
  private arena = new Uint8Array(FANOUT.minArenaBytes);
  private used = 0;
  /** Bytes of this turn's direct lines, counted against the turn's budget. */
  private directBytes = 0;
  private readonly marks = new Map<M, Marks>();
  /** Marks from earlier turns, reused so a busy room allocates none per sender. */
  private readonly spare: Marks[] = [];
  /** Where a member's small share is gathered into one write. */
  private scratch = new Uint8Array(FANOUT.gatherBytes);
  private scheduled = false;
  private readonly runFlush = () => this.flush();
  private readonly report = {
    slow: [] as M[],
    failed: [] as Array<[M, unknown]>,
    queued: [] as M[],
    senders: [] as M[],
  };

  /**
   * @param members the room's member set; read here only when a turn is
   *   delivered, never changed.
   * @param onTurn called after each delivery with what it showed (slow
   *   readers to evict, backlogs, senders), so the owner of the set can act.
   * @param turnBytes how many bytes one turn should gather before input waits.
   * @param schedule runs the end-of-turn delivery; setImmediate fires after
   *   every socket event of the current loop iteration has been handled.
   * @param text the language notices are worded in for these members.
   * @param audience when `members` is shared with engines for other
   *   languages: which of them this engine serves, and whether any others
   *   are in the set at all (when none are, nobody needs to be asked).
   */
  constructor(
    private readonly members: ReadonlySet<M>,
    private readonly onTurn: (report: TurnReport<M>) => void,
    private readonly turnBytes: number = Number.POSITIVE_INFINITY,
    private readonly schedule: (run: () => void) => void = setImmediate,
    private readonly text: ServerText = SERVER_TEXT.en,
    private readonly audience: Audience<M> | null = null,
  ) {}

  /** Whether `member` is in the room and reads through this engine. */
  private serves(member: M): boolean {
    const a = this.audience;
    return this.members.has(member) && (a === null || !a.mixed() || a.reads(member));
  }

  get full(): boolean {
    return this.used + this.directBytes >= this.turnBytes;
  }

  toAll(line: Line, from?: M): void {
    const start = this.used;
    this.append(typeof line === "string" ? line : render(this.text, line));
    if (from !== undefined) this.marksOf(from).own.push(start, this.used);
    this.arm();
  }

  toOne(member: M, line: string): void {
    const bytes = encoder.encode(`${line}\n`);
    this.directBytes += bytes.length;
    this.marksOf(member).direct.push({ at: this.used, bytes });
    this.arm();
  }

  admit(member: M): void {
    this.marksOf(member).from = this.used;
  }

  release(member: M): void {
    const inRoom = this.serves(member);
    const marks = this.marks.get(member);
    if (marks === undefined) {
      if (inRoom && this.used > 0) member.send(this.arena.subarray(0, this.used));
      return;
    }
    this.marks.delete(member);
    // Not a member (choosing a name, or already released): its direct lines only.
    if (!inRoom) marks.from = this.used;
    this.deliver(member, marks, this.used);
    this.recycle(marks);
  }

  flush(): void {
    this.scheduled = false;
    const end = this.used;
    const marks = this.marks;
    if (end === 0 && marks.size === 0) return;
    const report = this.report;
    // Empty, unless a throw outside any member's send cut the last turn short.
    report.slow.length = 0;
    report.failed.length = 0;
    report.queued.length = 0;
    report.senders.length = 0;
    try {
      if (end > 0) {
        // Everyone gets this turn: the shared bytes, or their own share of them.
        const shared = this.arena.subarray(0, end);
        const checkMarks = marks.size > 0;
        const a = this.audience;
        const only = a?.mixed() ? a.reads : null;
        for (const member of this.members) {
          if (only !== null && !only(member)) continue;
          const own = checkMarks ? marks.get(member) : undefined;
          try {
            const sent = own === undefined ? member.send(shared) : this.deliver(member, own, end);
            if (sent !== Sent.Written) this.note(member, sent);
          } catch (error) {
            // One member's send that throws costs that member, never the rest of the turn.
            report.failed.push([member, error]);
          }
        }
      }
      for (const [member, own] of marks) {
        if (own.own.length > 0) report.senders.push(member);
        // Connections not in the room (choosing a name) and, in a turn of direct
        // lines only, just the members it concerns: nobody else is visited.
        if (end === 0 || !this.serves(member)) {
          // Not a member: its direct lines only, none of the room's.
          if (end > 0) own.from = end;
          try {
            const sent = this.deliver(member, own, end);
            if (sent !== Sent.Written) this.note(member, sent);
          } catch (error) {
            report.failed.push([member, error]);
          }
        }
        this.recycle(own);
      }
    } finally {
      // Whatever happened, the next turn starts empty.
      marks.clear();
      this.used = 0;
      this.directBytes = 0;
    }
    const anything = report.slow.length + report.failed.length + report.queued.length;
    if (anything + report.senders.length > 0) {
      try {
        this.onTurn(report);
      } finally {
        report.slow.length = 0;
        report.failed.length = 0;
        report.queued.length = 0;
        report.senders.length = 0;
      }
    }
  }

  private note(member: M, sent: Sent): void {
    if (sent === Sent.Overflow) this.report.slow.push(member);
    else this.report.queued.push(member);
  }

  private arm(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.runFlush);
  }

  private marksOf(member: M): Marks {
    let marks = this.marks.get(member);
    if (marks === undefined) {
      marks = this.spare.pop() ?? { from: 0, own: [], direct: [] };
      this.marks.set(member, marks);
    }
    return marks;
  }

  private recycle(marks: Marks): void {
    marks.from = 0;
    marks.own.length = 0;
    marks.direct.length = 0;
    if (this.spare.length < FANOUT.spareMarks) this.spare.push(marks);
  }

  /** Encode one line into the arena, growing it if needed. */
  private append(line: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit, plus the newline.
    const worst = line.length * 3 + 1;
    if (this.used + worst > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.arena.length * 2, this.used + worst));
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
    }
    const { written } = encoder.encodeInto(line, this.arena.subarray(this.used));
    this.used += written;
    this.arena[this.used++] = NL;
  }

  /**
   * Send one member its share of the turn: the shared bytes up to `end` from
   * where it joined, minus its own lines, plus its direct lines, in order.
   * Returns the outbox's state after the last piece.
   */
  private deliver(member: M, marks: Marks, end: number): Sent {
    const pieces = this.pieces(marks, end);
    let total = 0;
    for (const piece of pieces) total += piece.length;
    if (total === 0) return Sent.Written;
    if (pieces.length === 1) return member.send(pieces[0] as Uint8Array);
    if (total > FANOUT.gatherBytes) {
      // Large: one write per piece beats copying the turn for every sender.
      let sent: Sent = Sent.Written;
      for (const piece of pieces) sent = member.send(piece);
      return sent;
    }
    const scratch = this.scratch;
    let at = 0;
    for (const piece of pieces) {
      scratch.set(piece, at);
      at += piece.length;
    }
    return member.send(scratch.subarray(0, at));
  }

  /** The ranges and direct lines that make up a member's share, in order. */
  private pieces(marks: Marks, end: number): Uint8Array[] {
    const { own, direct } = marks;
    const pieces: Uint8Array[] = [];
    let at = marks.from;
    const take = (to: number) => {
      if (to > at) pieces.push(this.arena.subarray(at, to));
    };
    let o = 0;
    let d = 0;
    while (o < own.length || d < direct.length) {
      const ownStart = o < own.length ? (own[o] as number) : Number.POSITIVE_INFINITY;
      const next = direct[d];
      if (next !== undefined && next.at <= ownStart) {
        take(next.at);
        at = Math.max(at, next.at);
        pieces.push(next.bytes);
        d++;
      } else {
        take(ownStart);
        at = Math.max(at, own[o + 1] as number);
        o += 2;
      }
    }
    take(end);
    return pieces;
  }
}
