/**
 * Writing one member a stretch of what it is owed in as few writes as
 * possible: the lines of one segment of the log from its position, leaving
 * out the ones it said itself, or the lines waiting in its own queue. Short
 * runs are gathered into one buffer and written once; long ones go as they
 * are, straight from the segment's bytes. When the socket takes less, the
 * member's position becomes the line it stopped in, and the rest of a line
 * cut inside is queued to go first, so a line is never split. What is owed
 * when is the fan-out's business (fanout.ts); this is only how it is written.
 */

import type { Rendering, Segment } from "./log.ts";
import type { Queued, Reader } from "./reader.ts";

/**
 * What the fan-out did, counted where it happens (one add per write or per
 * turn, never per member per line) and read only by the metrics.
 */
export interface Sent {
  /** Lines the log took (said here or heard from other servers). */
  lines: number;
  /** Room lines written to members: a line to ten members is ten. */
  deliveries: number;
  /** Bytes the members' sockets took. */
  bytes: number;
  /** Lines members behind skipped, past the window (told as "you missed N lines"). */
  skipped: number;
}

/**
 * How a write of a member's queue ended: everything due now was taken; its
 * socket took less (the rest waits for its drain); or its socket is closed
 * (nothing more is written: Reader.socketClosed).
 */
export type QueueWrite = "done" | "stopped" | "closed";

export class LineWriter<M extends Reader> {
  /** [start, end) byte ranges of the lines one member gets, reused across writes. */
  private readonly runs: number[] = [];
  private readonly scratch: Uint8Array;

  /**
   * @param gatherBytes runs of lines up to this size are gathered into one write; larger, one write per run.
   * @param now when a member behind takes bytes (performance.now() ms), for its read timeout.
   * @param sent where the bytes and room lines written are counted.
   */
  constructor(
    private readonly gatherBytes: number,
    private readonly now: () => number,
    private readonly sent: Sent = { lines: 0, deliveries: 0, bytes: 0, skipped: 0 },
  ) {
    this.scratch = new Uint8Array(gatherBytes);
  }

  /**
   * Write `member` the lines of its own queue that are due: all of them when
   * it does not follow the room, else those due before its position.
   */
  queued(member: M, q: Queued[], follows: boolean): QueueWrite {
    while (q.length > 0) {
      // The lines due now, gathered into one write while they are small (a welcome, its limits).
      let due = 0;
      let bytes = 0;
      for (const e of q) {
        if (follows && e.before > member.next) break;
        const left = e.bytes.length - e.off;
        if (due > 0 && bytes + left > this.gatherBytes) break;
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
        member.socketClosed();
        return "closed";
      }
      this.sent.bytes += taken;
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
      if (taken < bytes) return "stopped";
    }
    if (q.length === 0) member.queue = null;
    return "done";
  }

  /**
   * Write lines from `member.next` up to `stop` (exclusive) of one segment,
   * leaving out its own: `own` (indices in the segment, ascending) when the
   * turn just gathered says which they are, else the segment's owners. True
   * when all were taken; otherwise the member's position is where its socket
   * stopped (the cut line's rest queued first).
   */
  lines(member: M, segment: Segment, stop: number, own: readonly number[] | undefined): boolean {
    const r = rendering(segment, member.dialect);
    const { ends, bytes } = r;
    // Runs of lines that are not its own, as [startByte, endByte) pairs.
    const runs = this.runs;
    runs.length = 0;
    let i = member.next - segment.first;
    const last = stop - segment.first;
    let total = 0;
    // Lines in the runs: counted once per write, not per line.
    let count = 0;
    if (own !== undefined) {
      let o = 0;
      while (o < own.length && (own[o] as number) < i) o++;
      while (i < last) {
        const next = o < own.length ? Math.min(own[o] as number, last) : last;
        if (next > i) {
          total += pushRun(runs, ends, i, next);
          count += next - i;
        }
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
        count += i - from;
      }
    }
    if (total === 0) {
      member.next = stop;
      return true;
    }
    let taken: number;
    if (runs.length === 2) {
      taken = member.write(bytes, runs[0] as number, total);
    } else if (total <= this.gatherBytes) {
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
      member.socketClosed();
      return true;
    }
    this.sent.bytes += taken;
    if (taken > 0 && member.behind) member.lastTaken = this.now();
    if (taken >= total) {
      this.sent.deliveries += count;
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
    const from = member.next;
    cutAt(member, segment, r, at);
    // NOTE: a write cut short counts the lines it passed, its own among them (rare, and never twice).
    this.sent.deliveries += member.next - from;
    return false;
  }
}

/**
 * The socket stopped at byte `at` of a segment's rendering: the member's
 * position becomes the next line, and the rest of the cut line (if it was
 * cut inside) is queued to go first, so a line is never split.
 */
export function cutAt(member: Reader, segment: Segment, r: Rendering, at: number): void {
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

/** A segment's bytes in `dialect`, or, for a turn nobody read in it, in the closest one kept. */
export function rendering(segment: Segment, dialect: number): Rendering {
  const r = segment.renderings;
  const own = r[dialect];
  if (own !== undefined) return own;
  return (r.find((x, d) => x !== undefined && (d & 1) === (dialect & 1)) ??
    r.find((x) => x !== undefined)) as Rendering;
}

/** Lines [from, to) of a rendering as one byte range pushed on `runs`; returns its length. */
function pushRun(runs: number[], ends: Uint32Array, from: number, to: number): number {
  const a = from === 0 ? 0 : (ends[from - 1] as number);
  const b = ends[to - 1] as number;
  runs.push(a, b);
  return b - a;
}
