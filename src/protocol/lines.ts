/**
 * Line framing for protocol v1: bytes in, lines out; text in, bytes out.
 *
 * Pure: no sockets, no Bun APIs. The decoder survives any chunking (lines split
 * across reads, many lines per read, UTF-8 characters split across reads),
 * enforces a maximum line length, and after an over-long line discards
 * everything up to the next newline before it resumes.
 */

const NL = 0x0a;
const CR = 0x0d;

/** Marker the decoder yields, once, for each line that exceeded the limit. */
export const LINE_TOO_LONG: unique symbol = Symbol("line too long");
export type Decoded = string | typeof LINE_TOO_LONG;

const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

export class LineDecoder {
  /** Bytes of an unfinished line, or null when none are pending. */
  private partial: Uint8Array | null = null;
  private partialLength = 0;
  /** True while skipping the rest of an over-long line. */
  private discarding = false;
  /** The chunk being read, and where reading stopped in it. */
  private chunk: Uint8Array | null = null;
  private at = 0;

  /** @param maxLineBytes longest line accepted, excluding "\n" and an optional "\r" before it. */
  constructor(private readonly maxLineBytes: number) {}

  /** Bytes held for an unfinished line; never more than maxLineBytes + 1. */
  get pendingBytes(): number {
    return this.partialLength;
  }

  /** Whether a fed chunk still has bytes that next() has not looked at. */
  get holding(): boolean {
    return this.chunk !== null;
  }

  /**
   * Hand over a chunk to read with next(). The decoder keeps it (no copy)
   * until next() has consumed it; feeding more before that appends.
   */
  feed(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const held = this.chunk;
    if (held === null) {
      this.chunk = chunk;
      this.at = 0;
      return;
    }
    const rest = held.length - this.at;
    const joined = new Uint8Array(rest + chunk.length);
    joined.set(held.subarray(this.at));
    joined.set(chunk, rest);
    this.chunk = joined;
    this.at = 0;
  }

  /**
   * The next complete line of what was fed, or undefined when it needs more
   * bytes. Each over-long line yields LINE_TOO_LONG exactly once, as soon as
   * it is detected; its rest is skipped up to the next newline.
   */
  next(): Decoded | undefined {
    const chunk = this.chunk;
    if (chunk === null) return undefined;
    const end = chunk.length;
    while (this.at < end) {
      const start = this.at;
      const nl = chunk.indexOf(NL, start);
      const stop = nl === -1 ? end : nl;
      this.at = nl === -1 ? end : nl + 1;
      if (this.discarding) {
        if (nl !== -1) this.discarding = false;
      } else if (this.partialLength === 0 && nl !== -1) {
        // Fast path: the whole line is inside this chunk.
        return this.line(chunk, start, stop);
      } else if (!this.append(chunk, start, stop)) {
        // Too long: skip up to the newline, which may be in this very chunk.
        this.release();
        this.discarding = nl === -1;
        return LINE_TOO_LONG;
      } else if (nl !== -1) {
        const line = this.line(this.partial as Uint8Array, 0, this.partialLength);
        this.release();
        return line;
      }
    }
    this.chunk = null;
    return undefined;
  }

  /** The input has ended: an unterminated last line counts as a line. */
  finish(): Decoded | undefined {
    if (this.chunk !== null) return this.next();
    if (this.partialLength === 0 || this.discarding) return undefined;
    const line = this.line(this.partial as Uint8Array, 0, this.partialLength);
    this.release();
    return line;
  }

  /** Forget everything fed and not yet read (the connection is closing). */
  discard(): void {
    this.chunk = null;
    this.release();
  }

  /** Feed one chunk; returns the lines it completed, in order. */
  push(chunk: Uint8Array): Decoded[] {
    this.feed(chunk);
    const out: Decoded[] = [];
    for (let line = this.next(); line !== undefined; line = this.next()) out.push(line);
    return out;
  }

  private line(bytes: Uint8Array, from: number, to: number): Decoded {
    if (to > from && bytes[to - 1] === CR) to--;
    if (to - from > this.maxLineBytes) return LINE_TOO_LONG;
    return from === to ? "" : utf8.decode(bytes.subarray(from, to));
  }

  /** Keep bytes of an unfinished line; false once the line is past the limit. */
  private append(chunk: Uint8Array, from: number, to: number): boolean {
    const add = to - from;
    const needed = this.partialLength + add;
    // One byte of slack for a "\r" that may precede the newline.
    if (needed > this.maxLineBytes + 1) return false;
    if (add === 0) return true;
    if (this.partial === null || this.partial.length < needed) {
      const grown = new Uint8Array(Math.min(this.maxLineBytes + 1, Math.max(64, needed * 2)));
      if (this.partial !== null) grown.set(this.partial.subarray(0, this.partialLength));
      this.partial = grown;
    }
    this.partial.set(chunk.subarray(from, to), this.partialLength);
    this.partialLength = needed;
    return true;
  }

  private release(): void {
    this.partial = null;
    this.partialLength = 0;
  }
}

/** Encode one protocol line (adds the "\n"). */
export function encodeLine(text: string): Uint8Array {
  return encoder.encode(`${text}\n`);
}
