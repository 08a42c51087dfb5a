/**
 * The room's fan-out: how lines reach members, through the room's log.
 *
 * Every line of an event-loop turn gets its position in the log and joins
 * the turn being gathered (turn.ts), encoded once per dialect read in the
 * room. When the turn ends, its bytes become one segment of the log
 * (log.ts), and each member who had taken everything before gets the turn
 * in one write of the very same bytes. That is the fast path, and what a
 * member that keeps up costs.
 *
 * Everyone else is written through {@link LogFanout.pump}: from its
 * position in the log, segment by segment, skipping the lines it said
 * itself, with the lines for it alone (its own queue) in their place
 * between (line-writer.ts writes them). A member whose socket does not take
 * everything keeps only its position, plus the rest of the one line that
 * was cut (never a copy of room lines), is pumped again when its socket
 * drains, and is watched for the read timeout meanwhile (behind.ts). Nobody
 * waits for anybody. A member whose position fell out of the window gets
 * one line saying how many lines it missed, then goes on from the oldest
 * line kept.
 *
 * In a room over several servers, the room tells the others through its
 * Peers (peers.ts) and delivers what they say through this same engine.
 */

import { Behind } from "./behind.ts";
import type { Line } from "./dialects.ts";
import { Greetings } from "./greetings.ts";
import type { Journal } from "./journal.ts";
import { cutAt, LineWriter, rendering, type Sent } from "./line-writer.ts";
import type { RoomLog, Segment, Wire } from "./log.ts";
import type { Reader } from "./reader.ts";
import { Turn } from "./turn.ts";

/** The fan-out's buffers. */
export const FANOUT = {
  /** Starting size of the arena a turn's lines are encoded into. */
  minArenaBytes: 16 * 1024,
  /** Runs of a member's lines up to this size are gathered into one write; larger, one write per run. */
  gatherBytes: 16 * 1024,
  /** How often members behind are checked for having read nothing for too long (ms). */
  sweepMs: 5_000,
  /**
   * How long a greeting waits for its connection's first line (ms): a client
   * that speaks at once gets the greeting and the answer in one write.
   */
  greetMs: 50,
} as const;

// NOTE: what the fan-out takes and keeps, for modules that know it by the fan-out's name.

/** What the owner of the members does about them. */
export interface FanoutHooks<M> {
  /** A member's write threw (a bug, never the member's doing): cut it, with the error. */
  failed(member: M, error: unknown): void;
  /** Members behind who took no byte for the read timeout: close them. */
  stalled(members: readonly M[]): void;
  /** `member`'s own queue fell back under half its cap: its held input may go on. */
  relieved(member: M): void;
  /** The line a member behind reads when it missed `count` lines, in its dialect. */
  missed(member: M, count: number): string;
}

export interface FanoutLimits {
  /** Bytes one turn should gather before input waits for the next one. */
  turnBytes: number;
  /** Bytes a member's own queue may hold. */
  queueBytes: number;
  /** A member behind that takes nothing for this long is closed (ms); 0 never. */
  behindTimeoutMs: number;
}

const encoder = new TextEncoder();

export class LogFanout<M extends Reader> {
  private readonly turn: Turn<M>;
  /**
   * Members (or connections) that said a line or were told one this turn: not
   * on the fast path. Each is listed once, marked with the turn's number
   * (touchedIn); one whose mark was taken back since (forget, park) is passed over.
   */
  private readonly touched: M[] = [];
  /** The number of the turn being gathered. */
  private turnNumber = 1;
  /** Members not caught up: pumped on drain, swept for the read timeout. */
  private readonly behind: Behind<M>;
  private readonly writer: LineWriter<M>;
  private scheduled = false;
  /** A delivery is running: a flush asked for meanwhile runs after it. */
  private flushing = false;
  /** Members whose own queue fell under half its cap: told after the delivery, never inside it. */
  private readonly relieving: M[] = [];
  private readonly runFlush = () => this.flush();
  /** Greetings waiting for their connection's first line (see first()). */
  private readonly greetings: Greetings<M>;
  /** Where each turn's lines are recorded before delivery (the store); null keeps none. */
  journal: Journal | null = null;
  readonly sent: Sent = { lines: 0, deliveries: 0, bytes: 0, skipped: 0 };

  /**
   * @param members the room's members who are delivered to, away ones too (skipped); read, never changed.
   * @param readers how many members (away ones included) read each dialect, kept by the room.
   * @param schedule runs the end-of-turn delivery; setImmediate fires after
   *   every socket event of the current loop iteration has been handled.
   * @param later runs the waiting greetings' delivery after `ms`; returns its cancel.
   */
  constructor(
    readonly log: RoomLog,
    private readonly members: () => Iterable<M>,
    readers: readonly number[],
    private readonly limits: FanoutLimits,
    private readonly hooks: FanoutHooks<M>,
    private readonly schedule: (run: () => void) => void = setImmediate,
    private readonly clock: () => number = Date.now,
    now: () => number = () => performance.now(),
    every: (ms: number, run: () => void) => () => void = (ms, run) => {
      const t = setInterval(run, ms);
      return () => clearInterval(t);
    },
    later: (ms: number, run: () => void) => () => void = (ms, run) => {
      const t = setTimeout(run, ms);
      return () => clearTimeout(t);
    },
  ) {
    this.turn = new Turn<M>(log.epoch, readers, FANOUT.minArenaBytes);
    this.writer = new LineWriter<M>(FANOUT.gatherBytes, now, this.sent);
    this.greetings = new Greetings<M>(
      FANOUT.greetMs,
      {
        // Its queue is empty once its greeting went out with an answer (or it closed: forget() drops it).
        due: (member) => {
          if (member.queue !== null) this.touch(member);
        },
        released: () => this.flush(),
      },
      now,
      later,
    );
    this.behind = new Behind<M>(
      limits.behindTimeoutMs,
      FANOUT.sweepMs,
      { owes: (member) => this.owes(member), stalled: (members) => this.hooks.stalled(members) },
      now,
      every,
    );
  }

  /** Members behind now (their socket did not take everything they are owed). */
  get behindCount(): number {
    return this.behind.count;
  }

  /** The turn holds as many bytes as one turn may: leave further input for the next. */
  get full(): boolean {
    return this.turn.bytes >= this.limits.turnBytes;
  }

  /**
   * A line for every member, except `from` (a sender does not hear itself),
   * said at `at`. Returns its position here. `wire`: the position readers
   * know it by, when not this one (a room over several servers: the
   * stream's; null: none, a line for this server's members only). `owner`:
   * the id of the member who said it, if not `from` (one of another server).
   */
  toAll(
    line: Line,
    from?: M,
    wire?: Wire | null,
    at: number = this.clock(),
    owner: number = from?.id ?? 0,
  ): number {
    // A new shared epoch starts a turn of its own (never inside a delivery).
    if (wire && !this.turn.takes(wire) && !this.flushing) this.flush();
    const seq = this.log.take();
    // An away sayer (its line placed by the stream after it went) gets nothing written now.
    const sayer = from?.away ? undefined : from;
    this.turn.add(line, seq, at, sayer, wire, owner);
    if (sayer !== undefined) this.touch(sayer);
    this.arm();
    return seq;
  }

  /**
   * A line for one member or one connection not yet in the room, in order
   * with the rest, already in its dialect (as text, or encoded with its "\n"). False, and nothing sent, when its
   * own queue is full and `optional` (a private line: the sender is told).
   */
  toOne(member: M, line: string | Uint8Array, optional = false): boolean {
    // Bytes: a line encoded once for many (with its "\n"), never changed once written.
    const bytes = typeof line === "string" ? encoder.encode(`${line}\n`) : line;
    if (optional && member.queuedBytes + bytes.length > this.limits.queueBytes) return false;
    member.enqueue({ before: this.log.next, bytes, off: 0 });
    this.turn.addDirect(bytes.length);
    this.touch(member);
    this.arm();
    return true;
  }

  /**
   * A connection's first line (its greeting). It waits in the connection's
   * queue up to FANOUT.greetMs for the connection's own first line, to go
   * out with the answer to it in one write (greetings.ts).
   */
  first(member: M, bytes: Uint8Array): void {
    member.enqueue({ before: this.log.next, bytes, off: 0 });
    this.greetings.add(member);
  }

  /** `member` takes this turn's slow path (its own share, or a pump). */
  private touch(member: M): void {
    if (member.touchedIn === this.turnNumber) return;
    member.touchedIn = this.turnNumber;
    this.touched.push(member);
  }

  private untouch(member: M): void {
    if (member.touchedIn === this.turnNumber) member.touchedIn = 0;
  }

  /** Deliver the turn now, and the greetings waiting with it. */
  flushAll(): void {
    this.greetings.all();
    this.flush();
  }

  /** Whether `member`'s own queue is over its cap (its input should wait for it to read). */
  overQueue(member: M): boolean {
    return member.queuedBytes > this.limits.queueBytes;
  }

  /** `member` joins with id `id` at the log's end: it gets every line from the next one. */
  admit(member: M, id: number): void {
    member.id = id;
    member.since = this.log.next;
    member.next = this.log.next;
    member.until = Number.POSITIVE_INFINITY;
    this.turn.ensure(member.dialect);
    // Joined mid-turn: it is not where the turn starts, so the fast path would pass it by.
    this.touch(member);
    this.arm();
  }

  /** `member` resumes reading at position `from` (at most the log's end). */
  resumeAt(member: M, from: number): void {
    member.next = Math.min(Math.max(from, member.since), this.log.next);
    member.until = Number.POSITIVE_INFINITY;
    this.turn.ensure(member.dialect);
    this.touch(member);
    this.arm();
  }

  /** `member` leaves: it is owed the lines said until now, and no later one. */
  leave(member: M): void {
    if (member.until > this.log.next) member.until = this.log.next;
  }

  /** `member` reads another dialect from now on (what it is owed comes in it too). */
  setDialect(member: M, dialect: number): void {
    member.dialect = dialect;
    this.turn.ensure(dialect);
  }

  /** Forget a connection that closed. */
  forget(member: M): void {
    this.behind.settled(member);
    this.untouch(member);
    member.drop();
  }

  /**
   * Write `member` what is owed to it now (before a goodbye, which must come
   * last): the turn's lines are delivered first if it follows the room.
   * True when nothing more is owed.
   */
  release(member: M): boolean {
    if (this.turn.count > 0 && member.next < member.until) this.flush();
    const done = this.pumpTracked(member);
    this.tellRelieved();
    return done;
  }

  /** Whether anything is still owed to `member`. */
  owes(member: M): boolean {
    // Its queue, if any, waits for a resume.
    if (member.writesClosed) return false;
    return member.queue !== null || member.next < Math.min(member.until, this.log.next);
  }

  /** Its socket can take more: write what it is owed. True once it has everything. */
  drained(member: M): boolean {
    const done = this.pumpTracked(member);
    this.tellRelieved();
    return done;
  }

  /** `member` is away (its connection gone, it may resume): nothing is written to it meanwhile. */
  park(member: M): void {
    this.behind.settled(member);
    this.untouch(member);
  }

  /** The server is stopping: no more timers. */
  close(): void {
    this.behind.close();
    this.greetings.close();
  }

  /** Deliver the turn now instead of at the end of the event-loop turn. */
  flush(): void {
    if (this.flushing) {
      // Asked from inside a delivery (a hook): the next turn carries it.
      this.arm();
      return;
    }
    this.flushing = true;
    try {
      this.deliver();
    } finally {
      this.flushing = false;
    }
    this.tellRelieved();
  }

  /** Members whose queue fell under half its cap may go on (input.ts): after the delivery. */
  private tellRelieved(): void {
    while (this.relieving.length > 0) {
      const member = this.relieving.shift() as M;
      this.hooks.relieved(member);
    }
  }

  private deliver(): void {
    this.scheduled = false;
    const count = this.turn.count;
    const base = this.log.end;
    const end = base + count;
    let segment: Segment | null = null;
    if (count > 0) {
      this.sent.lines += count;
      // Recorded before any of it is written: a line a member read is a line the record has.
      this.journal?.turn(this.log.epoch, base, this.turn.recorded());
      segment = this.turn.commit(base);
      this.log.append(segment);
    }
    const touched = this.touched;
    const turn = this.turnNumber;
    const failed: Array<[M, unknown]> = [];
    if (segment !== null) {
      for (const member of this.members()) {
        // Behind: its socket's drain brings it along, not every turn. Away: nothing is written.
        if (member.next !== base || member.touchedIn === turn || member.away) continue;
        try {
          if (member.queue === null) this.fast(member, segment, end);
          else this.pumpTracked(member);
        } catch (error) {
          failed.push([member, error]);
        }
      }
    }
    // By index: a member touched while this runs is delivered to in this same loop.
    for (let i = 0; i < touched.length; i++) {
      const member = touched[i] as M;
      if (member.touchedIn !== turn) continue;
      member.touchedIn = 0;
      try {
        // A turn with no rendering (the last member here left in it) has nothing to write:
        // pump() steps over it.
        const rendered = segment !== null && rendering(segment, member.dialect) !== undefined;
        if (rendered && segment && member.next === base && member.queue === null && !member.away) {
          // Caught up, and it spoke (or joined) this turn: its share of the turn, in one write.
          const own = this.turn.ownLines(member);
          if (this.writer.lines(member, segment, Math.min(end, member.until), own))
            this.behind.settled(member);
          else this.behind.fell(member);
        } else {
          this.pumpTracked(member);
        }
      } catch (error) {
        failed.push([member, error]);
      }
    }
    touched.length = 0;
    this.turnNumber++;
    this.turn.end();
    for (const [member, error] of failed) this.hooks.failed(member, error);
  }

  /** A member that had everything, nothing of its own, and said nothing: the turn in one write. */
  private fast(member: M, segment: Segment, end: number): void {
    const r = rendering(segment, member.dialect);
    const length = r.bytes.length;
    const taken = member.write(r.bytes, 0, length);
    if (taken < 0) {
      member.socketClosed();
      return;
    }
    this.sent.bytes += taken;
    if (taken >= length) {
      this.sent.deliveries += end - member.next;
      member.next = end;
      return;
    }
    const from = member.next;
    cutAt(member, segment, r, taken);
    this.sent.deliveries += member.next - from;
    this.behind.fell(member);
  }

  /** Pump, and keep the set of members behind (and its sweep) up to date. True once it has everything. */
  private pumpTracked(member: M): boolean {
    if (this.pump(member)) {
      this.behind.settled(member);
      return true;
    }
    this.behind.fell(member);
    return false;
  }

  /**
   * Write `member` what it is owed: its own lines when due, and the room's
   * lines from its position, until its socket takes no more. True when
   * nothing more is owed now.
   */
  pump(member: M): boolean {
    if (member.away) return true;
    const log = this.log;
    for (;;) {
      const follows = member.next < member.until;
      const q = member.queue;
      if (q !== null) {
        // The window passed it again while its missed line waited untaken: skip() merges them.
        const front = q[0];
        if (front?.missed !== undefined && front.off === 0 && follows && member.next < log.first) {
          this.skip(member);
          continue;
        }
        const half = this.limits.queueBytes / 2;
        const wasOver = member.queuedBytes > half;
        const wrote = this.writer.queued(member, q, follows);
        if (wrote === "closed") return true;
        // Its input may wait for its queue (input.ts's Hold.Owed): say when it fell under half.
        if (wasOver && member.queuedBytes <= half) this.relieving.push(member);
        if (wrote === "stopped") return false;
      }
      if (!follows) return true;
      const end = Math.min(log.end, member.until);
      if (member.next >= end) return true;
      if (member.next < log.first) {
        this.skip(member);
        continue;
      }
      const segment = log.find(member.next) as Segment;
      if (rendering(segment, member.dialect) === undefined) {
        // A turn nobody on this server read (no rendering kept): nothing in it for anyone.
        member.next = segment.first + segment.count;
        continue;
      }
      let stop = Math.min(segment.first + segment.count, end);
      const due = member.queue?.[0]?.before;
      if (due !== undefined && due < stop) stop = due;
      if (stop > member.next && !this.writer.lines(member, segment, stop, undefined)) return false;
      if (member.writesClosed) return true;
    }
  }

  /**
   * Move `member`, past the window, to the oldest line kept, with one line first
   * saying how many it missed: these, and those of a missed line still waiting
   * untaken at the front of its queue, which this one replaces.
   */
  private skip(member: M): void {
    const log = this.log;
    const now = Math.min(log.first, member.until) - member.next;
    this.sent.skipped += now;
    let missed = now;
    const front = member.queue?.[0];
    if (front?.missed !== undefined && front.off === 0) {
      member.queue?.shift();
      member.queuedBytes -= front.bytes.length;
      missed += front.missed;
    }
    const line = encoder.encode(`${this.hooks.missed(member, missed)}\n`);
    member.next = log.first;
    member.pushFront({ before: member.next, bytes: line, off: 0, missed });
  }

  private arm(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.runFlush);
  }
}
