/**
 * The turn being gathered: the lines said since the last delivery, each
 * with its position, encoded as it comes into one arena per dialect read in
 * the room, so that a line is encoded once per dialect however many members
 * read it. It also remembers which of its lines each sender said (a sender
 * does not hear itself). When the turn ends, {@link Turn.commit} makes its
 * bytes one segment of the log (log.ts) and the arenas start empty again.
 * The fan-out (fanout.ts) owns one and delivers what it commits.
 */

import { formatPosition } from "../../protocol/tags.ts";
import { utf8Into } from "../../protocol/utf8.ts";
import { DIALECTS, isV2, type Line, textIn } from "./dialects.ts";
import type { Recorded } from "./journal.ts";
import { NO_POSITION, OWN_POSITION, type Rendering, type Segment, type Wire } from "./log.ts";
import type { Reader } from "./reader.ts";

/**
 * What a segment costs besides its bytes, measured: the Segment object, its
 * renderings array, and each rendering's object and typed-array headers.
 */
const SEGMENT_OVERHEAD_BYTES = 256;
const RENDERING_OVERHEAD_BYTES = 192;

const NL = 0x0a;

/** One dialect's encoding of the turn being gathered. */
class Arena {
  bytes: Uint8Array;
  used = 0;
  ends: number[] = [];
  active = false;

  constructor(minBytes: number) {
    this.bytes = new Uint8Array(minBytes);
  }
}

interface Entry {
  line: Line;
  seq: number;
  /** Its shared position (the turn's `wireEpoch`), or OWN_POSITION, or NO_POSITION. */
  wire: number;
  at: number;
  owner: number;
}

export class Turn<M extends Reader> {
  private readonly arenas: Arena[] = [];
  private readonly entries: Entry[] = [];
  /** This turn's senders (each keeps the indices of its own lines, which it must not get, in ownInTurn). */
  private readonly senders: M[] = [];
  /** Own-line lists from earlier turns, reused so that a busy room allocates none per sender. */
  private readonly spareOwn: number[][] = [];
  /** Bytes of this turn's lines for one member alone (they count toward its size too). */
  private directBytes = 0;
  /** The shared log's epoch of this turn's lines that have a shared position; null while none has. */
  private wireEpoch: string | null = null;
  /** Whether any line of the turn is not known by its own position. */
  private foreign = false;

  /**
   * @param epoch the log's epoch, which v2 positions carry.
   * @param readers how many members read each dialect, kept by the room: only those are encoded.
   * @param minArenaBytes starting size of each dialect's arena.
   */
  constructor(
    private readonly epoch: string,
    private readonly readers: readonly number[],
    minArenaBytes: number,
  ) {
    for (let d = 0; d < DIALECTS; d++) this.arenas.push(new Arena(minArenaBytes));
  }

  /** How many lines for everyone the turn holds. */
  get count(): number {
    return this.entries.length;
  }

  /** Its bytes as a turn's limit counts them: its largest dialect, and the lines for one member. */
  get bytes(): number {
    let most = 0;
    for (const a of this.arenas) if (a.used > most) most = a.used;
    return most + this.directBytes;
  }

  /**
   * Whether a line at shared position `wire` may join this turn: one turn's
   * shared positions are of one epoch (a new one starts after Redis lost the room).
   */
  takes(wire: Wire): boolean {
    return this.wireEpoch === null || this.wireEpoch === wire.epoch || this.entries.length === 0;
  }

  /**
   * A line for everyone at position `seq`, said at `at`, by `from` if a
   * member said it; known by `wire` (its shared position), or by `seq`
   * (undefined), or by none (null: a line for this server's members only).
   */
  add(
    line: Line,
    seq: number,
    at: number,
    from: M | undefined,
    wire?: Wire | null,
    owner: number = from?.id ?? 0,
  ): void {
    let w = OWN_POSITION;
    if (wire === null) w = NO_POSITION;
    else if (wire !== undefined && this.takes(wire)) {
      this.wireEpoch = wire.epoch;
      w = wire.seq;
    }
    if (w !== OWN_POSITION) this.foreign = true;
    const entry: Entry = { line, seq, wire: w, at, owner };
    this.entries.push(entry);
    for (let d = 0; d < DIALECTS; d++) {
      const arena = this.arenas[d] as Arena;
      if (arena.active) this.encode(arena, d, entry);
      else if ((this.readers[d] as number) > 0) this.activate(d);
    }
    if (from !== undefined) {
      let own = from.ownInTurn;
      if (own === null) {
        own = this.spareOwn.pop() ?? [];
        from.ownInTurn = own;
        this.senders.push(from);
      }
      own.push(this.entries.length - 1);
    }
  }

  /**
   * The turn's lines and when each was said, for the room's record
   * (journal.ts): the turn's own entries, good until it is committed.
   */
  recorded(): readonly Recorded[] {
    return this.entries;
  }

  /** `bytes` more for one member alone were queued this turn. */
  addDirect(bytes: number): void {
    this.directBytes += bytes;
  }

  /** The indices of `member`'s own lines in the turn (ascending), if it said any. */
  ownLines(member: M): readonly number[] | undefined {
    return member.ownInTurn ?? undefined;
  }

  /** A dialect is read from now on: this turn's lines so far are encoded in it too. */
  ensure(dialect: number): void {
    const arena = this.arenas[dialect] as Arena;
    if (!arena.active && this.entries.length > 0) this.activate(dialect);
  }

  /**
   * The turn's lines, positions `base` on, become a segment (for the log);
   * the arenas start empty again. What each sender said is kept until {@link end}.
   */
  commit(base: number): Segment {
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
    const wire = this.foreign ? this.positions() : undefined;
    if (wire !== undefined) size += count * 8;
    entries.length = 0;
    this.wireEpoch = null;
    this.foreign = false;
    return { first: base, count, renderings, owners, size, wire };
  }

  /** The turn is delivered: forget its senders and its lines for one member. */
  end(): void {
    for (const sender of this.senders) {
      const own = sender.ownInTurn as number[];
      sender.ownInTurn = null;
      own.length = 0;
      if (this.spareOwn.length < 1024) this.spareOwn.push(own);
    }
    this.senders.length = 0;
    this.directBytes = 0;
  }

  /** The turn's lines' positions, where some are not their own here. */
  private positions(): Segment["wire"] {
    const seqs = new Float64Array(this.entries.length);
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < seqs.length; i++) {
      const w = (this.entries[i] as Entry).wire;
      seqs[i] = w;
      if (w <= 0) continue;
      if (lo === 0 || w < lo) lo = w;
      if (w > hi) hi = w;
    }
    return { epoch: this.wireEpoch ?? "", seqs, lo, hi };
  }

  private activate(dialect: number): void {
    const arena = this.arenas[dialect] as Arena;
    arena.active = true;
    for (const entry of this.entries) this.encode(arena, dialect, entry);
  }

  /** Encode one line into a dialect's arena, growing it if needed. */
  private encode(arena: Arena, dialect: number, entry: Entry): void {
    const w = entry.wire;
    // Only version 2 shows a position: plain lines do not build one they would drop.
    const pos =
      !isV2(dialect) || w === NO_POSITION
        ? undefined
        : w === OWN_POSITION
          ? formatPosition(this.epoch, entry.seq)
          : formatPosition(this.wireEpoch as string, w);
    const line = textIn(dialect, entry.line, pos, entry.at);
    // UTF-8 needs at most 3 bytes per UTF-16 unit, plus the newline.
    const worst = line.length * 3 + 1;
    if (arena.used + worst > arena.bytes.length) {
      const grown = new Uint8Array(Math.max(arena.bytes.length * 2, arena.used + worst));
      grown.set(arena.bytes.subarray(0, arena.used));
      arena.bytes = grown;
    }
    arena.used += utf8Into(arena.bytes, line, arena.used);
    arena.bytes[arena.used++] = NL;
    arena.ends.push(arena.used);
  }
}
