/**
 * The room's fan-out: how lines reach members, through the room's log.
 *
 * Every line of an event-loop turn gets its position in the log and is
 * encoded once per dialect read in the room (a language, and the protocol
 * version: v2 lines carry tags) into that dialect's arena. When the turn
 * ends, its bytes become one segment of the log (log.ts), and each member
 * who had taken everything before gets the turn in one write of the very
 * same bytes. That is the fast path, and what a member that keeps up costs.
 *
 * Everyone else is written through {@link LogFanout.pump}: from its
 * position in the log, segment by segment, skipping the lines it said
 * itself, with the lines for it alone (its own queue) in their place
 * between. A member whose socket does not take everything keeps only its
 * position, plus the rest of the one line that was cut (never a copy of
 * room lines), and is pumped again when its socket drains. Nobody waits for
 * anybody. A member whose position fell out of the window gets one line
 * saying how many lines it missed, then goes on from the oldest line kept.
 *
 * In a room over several servers, the room tells the others through its
 * Peers (peers.ts) and delivers what they say through this same engine.
 */

import { LANGS, type Lang } from "../../protocol/lang.ts";
import { type Notice, render, SERVER_TEXT } from "../../protocol/messages.ts";
import { formatPosition, tagged } from "../../protocol/tags.ts";
import type { Rendering, RoomLog, Segment } from "./log.ts";
import type { Queued, Reader } from "./reader.ts";

/** The fan-out's buffers. */
export const FANOUT = {
  /** Starting size of the arena a turn's lines are encoded into. */
  minArenaBytes: 16 * 1024,
  /** Runs of a member's lines up to this size are gathered into one write; larger, one write per run. */
  gatherBytes: 16 * 1024,
  /** How often members behind are checked for having read nothing for too long (ms). */
  sweepMs: 5_000,
} as const;

/** A member's own line for everyone: `text` is the v1 line ("<ana> hi", "* <ana> waves"). */
export interface Spoken {
  readonly kind: "chat" | "action";
  readonly from: string;
  readonly text: string;
}

/**
 * What a segment costs besides its bytes, measured: the Segment object, its
 * renderings array, and each rendering's object and typed-array headers.
 */
const SEGMENT_OVERHEAD_BYTES = 256;
const RENDERING_OVERHEAD_BYTES = 192;

/** A line for everyone: a member's words, a notice each reads in their language, or plain text. */
export type Line = Spoken | Notice | string;

/** Dialects: a language and a protocol version; index = language index * 2 + (v2 ? 1 : 0). */
export const DIALECTS = LANGS.length * 2;

export function dialectOf(lang: Lang, v2: boolean): number {
  return LANGS.indexOf(lang) * 2 + (v2 ? 1 : 0);
}

const langOf = (dialect: number): Lang => LANGS[dialect >> 1] as Lang;
const isV2 = (dialect: number): boolean => (dialect & 1) === 1;

export function isSpoken(line: Line): line is Spoken {
  return typeof line === "object" && "from" in line;
}

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

/** One dialect's encoding of the turn being gathered. */
class Arena {
  bytes = new Uint8Array(FANOUT.minArenaBytes);
  used = 0;
  ends: number[] = [];
  active = false;
}

interface Entry {
  line: Line;
  seq: number;
  at: number;
  owner: number;
}

const NL = 0x0a;
const encoder = new TextEncoder();

export class LogFanout<M extends Reader> {
  private readonly arenas: Arena[] = [];
  private readonly entries: Entry[] = [];
  /** Members (or connections) that said a line or were told one this turn: not on the fast path. */
  private readonly touched = new Set<M>();
  /** Members not caught up: pumped on drain, swept for the read timeout. */
  private readonly behind = new Set<M>();
  /** This turn's senders: the indices of their own lines in the turn, which they must not get. */
  private readonly own = new Map<M, number[]>();
  /** Own-line lists from earlier turns, reused so that a busy room allocates none per sender. */
  private readonly spareOwn: number[][] = [];
  /** [start, end) byte ranges of the lines one member gets, reused across writes. */
  private readonly runs: number[] = [];
  private directBytes = 0;
  private scheduled = false;
  /** A delivery is running: a flush asked for meanwhile runs after it. */
  private flushing = false;
  /** Members whose own queue fell under half its cap: told after the delivery, never inside it. */
  private readonly relieving: M[] = [];
  private sweeping: (() => void) | null = null;
  private scratch = new Uint8Array(FANOUT.gatherBytes);
  private readonly runFlush = () => this.flush();
  private lastAt = -1;
  private lastIso = "";

  /**
   * @param members the room's members who are delivered to; read, never changed.
   * @param readers how many members (away ones included) read each dialect, kept by the room.
   * @param schedule runs the end-of-turn delivery; setImmediate fires after
   *   every socket event of the current loop iteration has been handled.
   */
  constructor(
    readonly log: RoomLog,
    private readonly members: ReadonlySet<M>,
    private readonly readers: readonly number[],
    private readonly limits: FanoutLimits,
    private readonly hooks: FanoutHooks<M>,
    private readonly schedule: (run: () => void) => void = setImmediate,
    private readonly clock: () => number = Date.now,
    private readonly now: () => number = () => performance.now(),
    private readonly every: (ms: number, run: () => void) => () => void = (ms, run) => {
      const t = setInterval(run, ms);
      return () => clearInterval(t);
    },
  ) {
    for (let d = 0; d < DIALECTS; d++) this.arenas.push(new Arena());
  }

  /** The turn holds as many bytes as one turn may: leave further input for the next. */
  get full(): boolean {
    let most = 0;
    for (const a of this.arenas) if (a.used > most) most = a.used;
    return most + this.directBytes >= this.limits.turnBytes;
  }

  /** A line for every member, except `from` (a sender does not hear itself). Returns its position. */
  toAll(line: Line, from?: M): number {
    const entry: Entry = { line, seq: this.log.take(), at: this.clock(), owner: from?.id ?? 0 };
    this.entries.push(entry);
    for (let d = 0; d < DIALECTS; d++) {
      const arena = this.arenas[d] as Arena;
      if (arena.active) this.encode(arena, d, entry);
      else if ((this.readers[d] as number) > 0) this.activate(d);
    }
    if (from !== undefined) {
      this.touched.add(from);
      let own = this.own.get(from);
      if (own === undefined) {
        own = this.spareOwn.pop() ?? [];
        this.own.set(from, own);
      }
      own.push(this.entries.length - 1);
    }
    this.arm();
    return entry.seq;
  }

  /**
   * A line for one member or one connection not yet in the room, in order
   * with the rest, already in its dialect. False, and nothing sent, when its
   * own queue is full and `optional` (a private line: the sender is told).
   */
  toOne(member: M, line: string, optional = false): boolean {
    const bytes = encoder.encode(`${line}\n`);
    if (optional && member.queuedBytes + bytes.length > this.limits.queueBytes) return false;
    member.enqueue({ before: this.log.next, bytes, off: 0 });
    this.directBytes += bytes.length;
    this.touched.add(member);
    this.arm();
    return true;
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
    this.ensure(member.dialect);
    // Joined mid-turn: it is not where the turn starts, so the fast path would pass it by.
    this.touched.add(member);
    this.arm();
  }

  /** `member` resumes reading at position `from` (at most the log's end). */
  resumeAt(member: M, from: number): void {
    member.next = Math.min(Math.max(from, member.since), this.log.next);
    member.until = Number.POSITIVE_INFINITY;
    this.ensure(member.dialect);
    this.touched.add(member);
    this.arm();
  }

  /** `member` leaves: it is owed the lines said until now, and no later one. */
  leave(member: M): void {
    if (member.until > this.log.next) member.until = this.log.next;
  }

  /** `member` reads another dialect from now on (what it is owed comes in it too). */
  setDialect(member: M, dialect: number): void {
    member.dialect = dialect;
    this.ensure(dialect);
  }

  /** Forget a connection that closed. */
  forget(member: M): void {
    this.settled(member);
    this.touched.delete(member);
    member.drop();
  }

  /**
   * Write `member` what is owed to it now (before a goodbye, which must come
   * last): the turn's lines are delivered first if it follows the room.
   * True when nothing more is owed.
   */
  release(member: M): boolean {
    if (this.entries.length > 0 && member.next < member.until) this.flush();
    const done = this.pumpTracked(member);
    this.tellRelieved();
    return done;
  }

  /** Whether anything is still owed to `member`. */
  owes(member: M): boolean {
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
    this.settled(member);
    this.touched.delete(member);
  }

  /** The server is stopping: no more timers. */
  close(): void {
    this.sweeping?.();
    this.sweeping = null;
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
    const entries = this.entries;
    const count = entries.length;
    const base = this.log.end;
    let segment: Segment | null = null;
    if (count > 0) segment = this.commit(base);
    const touched = this.touched;
    const failed: Array<[M, unknown]> = [];
    if (segment !== null) {
      const end = base + count;
      const anyTouched = touched.size > 0;
      for (const member of this.members) {
        // Behind: its socket's drain brings it along, not every turn.
        if (member.next !== base || (anyTouched && touched.has(member))) continue;
        try {
          if (member.queue === null) this.fast(member, segment, end);
          else this.pumpTracked(member);
        } catch (error) {
          failed.push([member, error]);
        }
      }
    }
    const end = base + count;
    for (const member of touched) {
      try {
        if (segment !== null && member.next === base && member.queue === null && !member.away) {
          // Caught up, and it spoke (or joined) this turn: its share of the turn, in one write.
          if (this.writeLines(member, segment, Math.min(end, member.until), this.own.get(member)))
            this.settled(member);
          else this.fellBehind(member);
        } else {
          this.pumpTracked(member);
        }
      } catch (error) {
        failed.push([member, error]);
      }
    }
    touched.clear();
    for (const own of this.own.values()) {
      own.length = 0;
      if (this.spareOwn.length < 1024) this.spareOwn.push(own);
    }
    this.own.clear();
    this.directBytes = 0;
    for (const [member, error] of failed) this.hooks.failed(member, error);
  }

  /** This turn's lines become a segment of the log; the arenas start empty again. */
  private commit(base: number): Segment {
    const entries = this.entries;
    const count = entries.length;
    const owners = new Int32Array(count);
    for (let i = 0; i < count; i++) owners[i] = (entries[i] as Entry).owner;
    const renderings: Array<Rendering | undefined> = [];
    // What the segment costs: its objects, owners, and every rendering's bytes and line ends.
    let size = SEGMENT_OVERHEAD_BYTES + count * 4;
    for (const arena of this.arenas) {
      if (!arena.active) {
        renderings.push(undefined);
        continue;
      }
      renderings.push({
        bytes: arena.bytes.slice(0, arena.used),
        ends: Uint32Array.from(arena.ends),
      });
      size += arena.used + count * 4 + RENDERING_OVERHEAD_BYTES;
      arena.used = 0;
      arena.ends.length = 0;
      arena.active = false;
    }
    entries.length = 0;
    const segment: Segment = { first: base, count, renderings, owners, size };
    this.log.append(segment);
    return segment;
  }

  /** A member that had everything, nothing of its own, and said nothing: the turn in one write. */
  private fast(member: M, segment: Segment, end: number): void {
    const r = rendering(segment, member.dialect);
    const length = r.bytes.length;
    const taken = member.write(r.bytes, 0, length);
    if (taken < 0 || taken >= length) {
      member.next = end;
      return;
    }
    this.cutAt(member, segment, r, taken);
    this.fellBehind(member);
  }

  /** Pump, and keep the set of members behind (and its sweep) up to date. True once it has everything. */
  private pumpTracked(member: M): boolean {
    if (this.pump(member)) {
      this.settled(member);
      return true;
    }
    this.fellBehind(member);
    return false;
  }

  /** `member` has everything it is owed (or is gone): it is no longer behind. */
  private settled(member: M): void {
    if (!member.behind) return;
    member.behind = false;
    this.behind.delete(member);
  }

  private fellBehind(member: M): void {
    if (member.behind) return;
    member.behind = true;
    member.lastTaken = this.now();
    this.behind.add(member);
    if (this.sweeping === null && this.limits.behindTimeoutMs > 0) {
      this.sweeping = this.every(FANOUT.sweepMs, () => this.sweep());
    }
  }

  /** Members behind that took nothing for the read timeout are handed to the owner to close. */
  private sweep(): void {
    const now = this.now();
    const stalled: M[] = [];
    for (const member of this.behind) {
      if (member.away || !this.owes(member)) this.settled(member);
      else if (now - member.lastTaken > this.limits.behindTimeoutMs) stalled.push(member);
    }
    if (this.behind.size === 0) this.close();
    for (const member of stalled) this.settled(member);
    if (stalled.length > 0) this.hooks.stalled(stalled);
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
        const half = this.limits.queueBytes / 2;
        const wasOver = member.queuedBytes > half;
        // Its input may wait for its queue (input.ts's Hold.Owed): say when it fell under half.
        const relieve = () => {
          if (wasOver && member.queuedBytes <= half) this.relieving.push(member);
        };
        while (q.length > 0) {
          // The lines due now, gathered into one write while they are small (a welcome, its limits).
          let due = 0;
          let bytes = 0;
          for (const e of q) {
            if (follows && e.before > member.next) break;
            const left = e.bytes.length - e.off;
            if (due > 0 && bytes + left > FANOUT.gatherBytes) break;
            due++;
            bytes += left;
          }
          if (due === 0) break;
          let taken: number;
          const first = q[0] as Queued;
          if (due === 1) {
            taken = member.write(first.bytes, first.off, bytes);
          } else {
            const scratch = this.scratch;
            let at = 0;
            for (let k = 0; k < due; k++) {
              const e = q[k] as Queued;
              scratch.set(e.off === 0 ? e.bytes : e.bytes.subarray(e.off), at);
              at += e.bytes.length - e.off;
            }
            taken = member.write(scratch, 0, at);
          }
          if (taken < 0) {
            member.drop();
            return true;
          }
          if (taken > 0 && member.behind) member.lastTaken = this.now();
          member.queuedBytes -= taken;
          // Drop what was written whole; the line it stopped in keeps its offset.
          let left = taken;
          while (left > 0) {
            const e = q[0] as Queued;
            const rest = e.bytes.length - e.off;
            if (left < rest) {
              e.off += left;
              break;
            }
            left -= rest;
            q.shift();
          }
          if (taken < bytes) {
            relieve();
            return false;
          }
        }
        if (q.length === 0) member.queue = null;
        relieve();
      }
      if (!follows) return true;
      const end = Math.min(log.end, member.until);
      if (member.next >= end) return true;
      if (member.next < log.first) {
        const missed = Math.min(log.first, member.until) - member.next;
        const line = encoder.encode(`${this.hooks.missed(member, missed)}\n`);
        member.next = log.first;
        member.pushFront({ before: member.next, bytes: line, off: 0 });
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
      if (stop > member.next && !this.writeLines(member, segment, stop, undefined)) return false;
      if (member.next === -1) return true;
    }
  }

  /**
   * Write lines from `member.next` up to `stop` (exclusive) of one segment,
   * leaving out its own: `own` (indices in the segment, ascending) when the
   * turn just gathered says which they are, else the segment's owners. True
   * when all were taken; otherwise the member's position is where its socket
   * stopped (the cut line's rest queued first).
   */
  private writeLines(
    member: M,
    segment: Segment,
    stop: number,
    own: readonly number[] | undefined,
  ): boolean {
    const r = rendering(segment, member.dialect);
    const { ends, bytes } = r;
    // Runs of lines that are not its own, as [startByte, endByte) pairs.
    const runs = this.runs;
    runs.length = 0;
    let i = member.next - segment.first;
    const last = stop - segment.first;
    let total = 0;
    if (own !== undefined) {
      let o = 0;
      while (o < own.length && (own[o] as number) < i) o++;
      while (i < last) {
        const next = o < own.length ? Math.min(own[o] as number, last) : last;
        if (next > i) total += pushRun(runs, ends, i, next);
        i = next + 1;
        o++;
      }
    } else {
      const owners = segment.owners;
      const id = member.id;
      while (i < last) {
        while (i < last && id !== 0 && owners[i] === id) i++;
        if (i >= last) break;
        const from = i;
        while (i < last && (id === 0 || owners[i] !== id)) i++;
        total += pushRun(runs, ends, from, i);
      }
    }
    if (total === 0) {
      member.next = stop;
      return true;
    }
    let taken: number;
    if (runs.length === 2) {
      taken = member.write(bytes, runs[0] as number, total);
    } else if (total <= FANOUT.gatherBytes) {
      const scratch = this.scratch;
      let at = 0;
      for (let k = 0; k < runs.length; k += 2) {
        scratch.set(bytes.subarray(runs[k] as number, runs[k + 1] as number), at);
        at += (runs[k + 1] as number) - (runs[k] as number);
      }
      taken = member.write(scratch, 0, at);
    } else {
      taken = 0;
      for (let k = 0; k < runs.length; k += 2) {
        const len = (runs[k + 1] as number) - (runs[k] as number);
        const t = member.write(bytes, runs[k] as number, len);
        if (t < 0) {
          taken = -1;
          break;
        }
        taken += t;
        if (t < len) break;
      }
    }
    if (taken < 0) {
      member.drop();
      member.next = -1;
      member.until = -1;
      return true;
    }
    if (taken > 0 && member.behind) member.lastTaken = this.now();
    if (taken >= total) {
      member.next = stop;
      return true;
    }
    // Where in the rendering the socket stopped.
    let left = taken;
    let at = 0;
    for (let k = 0; k < runs.length; k += 2) {
      const len = (runs[k + 1] as number) - (runs[k] as number);
      if (left < len) {
        at = (runs[k] as number) + left;
        break;
      }
      left -= len;
    }
    this.cutAt(member, segment, r, at);
    return false;
  }

  /**
   * The socket stopped at byte `at` of a segment's rendering: the member's
   * position becomes the next line, and the rest of the cut line (if it was
   * cut inside) is queued to go first, so a line is never split.
   */
  private cutAt(member: M, segment: Segment, r: Rendering, at: number): void {
    const ends = r.ends;
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ends[mid] as number) <= at) lo = mid + 1;
      else hi = mid;
    }
    const start = lo === 0 ? 0 : (ends[lo - 1] as number);
    if (at === start) {
      member.next = segment.first + lo;
      return;
    }
    member.next = segment.first + lo + 1;
    member.pushFront({
      before: member.next,
      bytes: r.bytes.slice(at, ends[lo]),
      off: 0,
      rest: true,
    });
  }

  /** A dialect is read from now on: this turn's lines so far are encoded in it too. */
  private ensure(dialect: number): void {
    const arena = this.arenas[dialect] as Arena;
    if (!arena.active && this.entries.length > 0) this.activate(dialect);
  }

  private activate(dialect: number): void {
    const arena = this.arenas[dialect] as Arena;
    arena.active = true;
    for (const entry of this.entries) this.encode(arena, dialect, entry);
  }

  private arm(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.runFlush);
  }

  /** Encode one line into a dialect's arena, growing it if needed. */
  private encode(arena: Arena, dialect: number, entry: Entry): void {
    const line = this.text(dialect, entry);
    // UTF-8 needs at most 3 bytes per UTF-16 unit, plus the newline.
    const worst = line.length * 3 + 1;
    if (arena.used + worst > arena.bytes.length) {
      const grown = new Uint8Array(Math.max(arena.bytes.length * 2, arena.used + worst));
      grown.set(arena.bytes.subarray(0, arena.used));
      arena.bytes = grown;
    }
    const { written } = encoder.encodeInto(line, arena.bytes.subarray(arena.used));
    arena.used += written;
    arena.bytes[arena.used++] = NL;
    arena.ends.push(arena.used);
  }

  /** A line's text in a dialect: the v1 line, with its tags in front for v2. */
  private text(dialect: number, entry: Entry): string {
    const { line } = entry;
    const v1 =
      typeof line === "string"
        ? line
        : isSpoken(line)
          ? line.text
          : render(SERVER_TEXT[langOf(dialect)], line);
    if (!isV2(dialect)) return v1;
    const pos = formatPosition(this.log.epoch, entry.seq);
    const time = this.iso(entry.at);
    if (typeof line === "string") return tagged({ kind: "notice", pos, time }, v1);
    if (isSpoken(line)) return tagged({ kind: line.kind, pos, time, from: line.from }, v1);
    return tagged({ kind: "notice", pos, time, ev: line.key, args: JSON.stringify(line.args) }, v1);
  }

  private iso(at: number): string {
    if (at !== this.lastAt) {
      this.lastAt = at;
      this.lastIso = new Date(at).toISOString();
    }
    return this.lastIso;
  }
}

/** Lines [from, to) of a rendering as one byte range pushed on `runs`; returns its length. */
function pushRun(runs: number[], ends: Uint32Array, from: number, to: number): number {
  const a = from === 0 ? 0 : (ends[from - 1] as number);
  const b = ends[to - 1] as number;
  runs.push(a, b);
  return b - a;
}

/** A segment's bytes in `dialect`, or, for a turn nobody read in it, in the closest one kept. */
function rendering(segment: Segment, dialect: number): Rendering {
  const r = segment.renderings;
  const own = r[dialect];
  if (own !== undefined) return own;
  return (r.find((x, d) => x !== undefined && (d & 1) === (dialect & 1)) ??
    r.find((x) => x !== undefined)) as Rendering;
}

export type { Queued };
