/**
 * The room's log in memory: every line said to the room has a position
 * (its `seq`, one more than the line before, never reused within an
 * `epoch`), and the most recent lines are kept, in the bytes they are
 * written in, up to a byte budget (the window). Lines are kept by turn:
 * one {@link Segment} per event-loop turn of the fan-out, holding the turn's
 * encoding once for every member who reads that dialect (a language, and
 * the protocol version), so a member behind is a position into it and
 * never a copy. The oldest segments go first once the window is full, like
 * JetStream's MaxBytes or a Redis stream's MAXLEN; a reader that needed
 * them is told how many lines it missed (fanout.ts). Pure.
 */

import { randomBytes } from "node:crypto";

/** One dialect's bytes of a segment: its lines one after the other, and where each ends. */
export interface Rendering {
  readonly bytes: Uint8Array;
  /** ends[i]: offset just past line i's newline. */
  readonly ends: Uint32Array;
}

/** One turn's lines. */
export interface Segment {
  /** Position of the turn's first line. */
  readonly first: number;
  /** How many lines. */
  readonly count: number;
  /** By dialect; undefined for a dialect nobody read when the turn was delivered. */
  readonly renderings: ReadonlyArray<Rendering | undefined>;
  /** owners[i]: the id of the member who said line i (it is not sent back to them); 0 for none. */
  readonly owners: Int32Array;
  /** What the segment counts against the window: its largest rendering. */
  readonly size: number;
  /** Positions in the room's shared log (a room over several servers); undefined: every line's is its own. */
  readonly wire?: WirePositions;
}

/**
 * Where a line sits in a log that is not this one: in a room spread over
 * several servers, the position the Redis stream gave it, the same on
 * every server (docs/cluster.md, "Positions").
 */
export interface Wire {
  readonly epoch: string;
  readonly seq: number;
}

/** A segment's lines' positions when some are not the log's own. */
export interface WirePositions {
  /** The shared log's epoch for the lines that have a shared position. */
  readonly epoch: string;
  /** seqs[i]: line i's shared position; OWN_POSITION: its own (epoch, seq) here; NO_POSITION: none. */
  readonly seqs: Float64Array;
  /** The lowest and highest shared position in the segment (0 when none). */
  readonly lo: number;
  readonly hi: number;
}

/** In {@link WirePositions.seqs}: the line is known by its own position in this log. */
export const OWN_POSITION = 0;
/** In {@link WirePositions.seqs}: the line has no position (a notice for this server's members only). */
export const NO_POSITION = -1;

/** Where a reader that says it saw up to a position reads on, and how much it can no longer have. */
export interface Located {
  /** The position here to read from. */
  readonly from: number;
  /** Lines it asked for that are no longer kept: 0 none, null unknown (a position from another life of the log). */
  readonly missed: number | null;
}

/** A new epoch: 64 random bits in hex. A position from another epoch never means a line of this one. */
export function newEpoch(): string {
  return randomBytes(8).toString("hex");
}

export class RoomLog {
  /** Segments kept, oldest first, from `head` on (the array is compacted now and then). */
  private segments: Segment[] = [];
  private head = 0;
  private bytes = 0;
  /** Position the next line will get. */
  private nextSeq: number;
  /** Lines given positions but not yet in a segment (the turn being gathered). */
  private open = 0;

  constructor(
    readonly epoch: string,
    /** The window: bytes kept; the oldest turns go first past it (a turn larger than it stays alone). */
    private readonly windowBytes: number,
    start = 1,
  ) {
    this.nextSeq = start;
  }

  /** Position of the next line (one past the newest). */
  get next(): number {
    return this.nextSeq;
  }

  /** Position one past the newest line in a segment: what a reader can be sent now. */
  get end(): number {
    return this.nextSeq - this.open;
  }

  /** Oldest position still kept (equals `end` when nothing is kept). */
  get first(): number {
    const oldest = this.segments[this.head];
    return oldest === undefined ? this.end : oldest.first;
  }

  /** Bytes kept, as the window counts them. */
  get size(): number {
    return this.bytes;
  }

  /** Give the next line its position. */
  take(): number {
    this.open++;
    return this.nextSeq++;
  }

  /** The turn's lines, positions `first` .. `first + count - 1`, taken before; trims the window. */
  append(segment: Segment): void {
    this.open -= segment.count;
    this.segments.push(segment);
    this.bytes += segment.size;
    while (this.bytes > this.windowBytes && this.segments.length - this.head > 1) {
      const gone = this.segments[this.head] as Segment;
      this.segments[this.head++] = undefined as unknown as Segment;
      this.bytes -= gone.size;
    }
    if (this.head > 1024 && this.head * 2 > this.segments.length) {
      this.segments = this.segments.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * The position a reader knows line `seq` by, or the nearest line before it
   * that has one; the log's own (epoch, seq) when no kept line says otherwise.
   */
  positionOf(seq: number): Wire {
    const segs = this.segments;
    for (let i = segs.length - 1; i >= this.head; i--) {
      const s = segs[i] as Segment;
      if (s.first > seq) continue;
      if (s.wire === undefined) return { epoch: this.epoch, seq };
      for (let k = Math.min(seq - s.first, s.count - 1); k >= 0; k--) {
        const w = s.wire.seqs[k] as number;
        if (w > 0) return { epoch: s.wire.epoch, seq: w };
        if (w === OWN_POSITION) return { epoch: this.epoch, seq: s.first + k };
      }
      seq = s.first - 1;
    }
    return { epoch: this.epoch, seq };
  }

  /**
   * A reader saw every line up to `shown` (this log's position, or the
   * shared log's): where it reads on here, and how many lines it asked for
   * are gone. A position this log cannot place reads on from the oldest line kept.
   */
  locate(shown: Wire): Located {
    const first = this.first;
    if (shown.epoch === this.epoch) {
      const asked = Math.min(shown.seq + 1, this.end);
      return asked >= first ? { from: asked, missed: 0 } : { from: first, missed: first - asked };
    }
    let oldest = 0;
    const segs = this.segments;
    for (let i = segs.length - 1; i >= this.head; i--) {
      const s = segs[i] as Segment;
      const w = s.wire;
      if (w === undefined || w.epoch !== shown.epoch || w.hi === 0) continue;
      if (w.lo > shown.seq) {
        oldest = w.lo;
        continue;
      }
      for (let k = s.count - 1; k >= 0; k--) {
        const at = w.seqs[k] as number;
        if (at > 0 && at <= shown.seq) return { from: s.first + k + 1, missed: 0 };
      }
    }
    if (oldest > 0) return { from: first, missed: oldest - shown.seq - 1 };
    return { from: first, missed: null };
  }

  /** The segment holding position `seq`, if it is still kept. */
  find(seq: number): Segment | undefined {
    const segs = this.segments;
    let lo = this.head;
    let hi = segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = segs[mid] as Segment;
      if (seq < s.first) hi = mid - 1;
      else if (seq >= s.first + s.count) lo = mid + 1;
      else return s;
    }
    return undefined;
  }
}
