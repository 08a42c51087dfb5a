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
