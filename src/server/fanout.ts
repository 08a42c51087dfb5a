/**
 * The room's fan-out: how lines reach members.
 *
 * {@link Fanout} is the small contract the room talks to. {@link LocalFanout}
 * is the batching engine behind it for one process: every line of an
 * event-loop turn is encoded once into a shared arena, and when the turn ends
 * each member gets one write. Members that took no part in the turn get the
 * very same bytes (a view of the arena, no copy); only senders (who must not
 * hear their own lines) and receivers of a direct line get a buffer of their
 * own. A multi-server mode would implement Fanout by publishing lines to the
 * other servers and delivering what it receives through a LocalFanout.
 */

import { Sent } from "../net/outbox.ts";
import { concatBytes } from "../protocol/lines.ts";

/** A member as the fan-out sees it: somewhere to send bytes. */
export interface Recipient {
  send(bytes: Uint8Array): Sent;
}

export interface Fanout<M> {
  /** A line for every member, except `from` (a sender does not hear itself). */
  toAll(line: string, from?: M): void;
  /** A line for one member, in order with the lines it gets from toAll. */
  toOne(member: M, line: string): void;
  /** `member` has just joined: it gets only lines queued from now on. */
  admit(member: M): void;
  /** `member` is leaving: hand it what this turn owes it now, then forget it. */
  release(member: M): void;
  /** Deliver the turn now instead of at the end of the event-loop turn. */
  flush(): void;
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
const MIN_ARENA = 16 * 1024;
const encoder = new TextEncoder();

export class LocalFanout<M extends Recipient> implements Fanout<M> {
  private arena = new Uint8Array(MIN_ARENA);
  private used = 0;
  private readonly marks = new Map<M, Marks>();
  private scheduled = false;
  private readonly runFlush = () => this.flush();

  /**
   * @param members the room's member set; read here only when a turn is
   *   delivered, never changed.
   * @param onOverflow called after delivery with members whose backlog passed
   *   its cap, so the owner of the set can evict them.
   * @param schedule runs the end-of-turn delivery; setImmediate fires after
   *   every socket event of the current loop iteration has been handled.
   */
  constructor(
    private readonly members: ReadonlySet<M>,
    private readonly onOverflow: (slow: M[]) => void,
    private readonly schedule: (run: () => void) => void = setImmediate,
  ) {}

  toAll(line: string, from?: M): void {
    const start = this.used;
    this.append(line);
    if (from !== undefined) this.marksOf(from).own.push(start, this.used);
    this.arm();
  }

  toOne(member: M, line: string): void {
    this.marksOf(member).direct.push({ at: this.used, bytes: encoder.encode(`${line}\n`) });
    this.arm();
  }

  admit(member: M): void {
    this.marksOf(member).from = this.used;
  }

  release(member: M): void {
    const marks = this.marks.get(member);
    // A copy: the arena may be reused once the turn is delivered.
    const bytes = marks ? this.build(marks, this.used) : this.arena.slice(0, this.used);
    this.marks.delete(member);
    member.send(bytes);
  }

  flush(): void {
    this.scheduled = false;
    const end = this.used;
    if (end === 0 && this.marks.size === 0) return;
    const shared = this.arena.subarray(0, end);
    const marks = this.marks;
    const checkMarks = marks.size > 0;
    let retained = false;
    let slow: M[] | null = null;
    for (const member of this.members) {
      const own = checkMarks ? marks.get(member) : undefined;
      const bytes = own === undefined ? shared : this.build(own, end);
      if (bytes.length === 0) continue;
      const sent = member.send(bytes);
      if (sent === Sent.Written) continue;
      if (own === undefined) retained = true;
      if (sent === Sent.Overflow) {
        slow ??= [];
        slow.push(member);
      }
    }
    marks.clear();
    this.used = 0;
    // A slow reader's outbox may still point into the arena: then start a new one.
    if (retained) this.arena = new Uint8Array(Math.max(MIN_ARENA, end));
    if (slow !== null) this.onOverflow(slow);
  }

  private arm(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.runFlush);
  }

  private marksOf(member: M): Marks {
    let marks = this.marks.get(member);
    if (marks === undefined) {
      marks = { from: 0, own: [], direct: [] };
      this.marks.set(member, marks);
    }
    return marks;
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

  /** The shared bytes minus this member's own lines, plus its direct lines, in order. */
  private build(marks: Marks, end: number): Uint8Array {
    const { own, direct } = marks;
    const pieces: Uint8Array[] = [];
    let total = 0;
    let at = marks.from;
    const take = (to: number) => {
      if (to > at) {
        const piece = this.arena.subarray(at, to);
        pieces.push(piece);
        total += piece.length;
      }
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
        total += next.bytes.length;
        d++;
      } else {
        take(ownStart);
        at = Math.max(at, own[o + 1] as number);
        o += 2;
      }
    }
    take(end);
    // Always a copy: the arena may be reused once the turn is delivered.
    return concatBytes(pieces, total);
  }
}
