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

  /** @param maxLineBytes longest line accepted, excluding "\n" and an optional "\r" before it. */
  constructor(private readonly maxLineBytes: number) {}

  /** Bytes held for an unfinished line; never more than maxLineBytes + 1. */
  get pendingBytes(): number {
    return this.partialLength;
  }

  /**
   * Feed one chunk; returns the lines it completed, in order. Each over-long
   * line yields LINE_TOO_LONG exactly once, as soon as it is detected.
   */
  push(chunk: Uint8Array): Decoded[] {
    const out: Decoded[] = [];
    let start = 0;
    const end = chunk.length;
    while (start < end) {
      const nl = chunk.indexOf(NL, start);
      const stop = nl === -1 ? end : nl;
      if (this.discarding) {
        if (nl === -1) return out;
        this.discarding = false;
      } else if (this.partialLength === 0 && nl !== -1) {
        // Fast path: the whole line is inside this chunk.
        this.emit(chunk, start, stop, out);
      } else {
        this.append(chunk, start, stop, out);
        if (nl !== -1 && !this.discarding) {
          this.emit(this.partial as Uint8Array, 0, this.partialLength, out);
          this.release();
        }
        if (nl === -1) return out;
        this.discarding = false;
      }
      start = stop + 1;
    }
    return out;
  }

  private emit(bytes: Uint8Array, from: number, to: number, out: Decoded[]): void {
    if (to > from && bytes[to - 1] === CR) to--;
    if (to - from > this.maxLineBytes) {
      out.push(LINE_TOO_LONG);
      return;
    }
    out.push(from === to ? "" : utf8.decode(bytes.subarray(from, to)));
  }

  /** Keep bytes of an unfinished line, switching to discard mode past the limit. */
  private append(chunk: Uint8Array, from: number, to: number, out: Decoded[]): void {
    const add = to - from;
    const needed = this.partialLength + add;
    // One byte of slack for a "\r" that may precede the newline.
    if (needed > this.maxLineBytes + 1) {
      this.release();
      this.discarding = true;
      out.push(LINE_TOO_LONG);
      return;
    }
    if (add === 0) return;
    if (this.partial === null || this.partial.length < needed) {
      const grown = new Uint8Array(Math.min(this.maxLineBytes + 1, Math.max(64, needed * 2)));
      if (this.partial !== null) grown.set(this.partial.subarray(0, this.partialLength));
      this.partial = grown;
    }
    this.partial.set(chunk.subarray(from, to), this.partialLength);
    this.partialLength = needed;
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

/** Concatenate byte chunks into one buffer. */
export function concatBytes(chunks: readonly Uint8Array[], total?: number): Uint8Array {
  let size = total ?? 0;
  if (total === undefined) for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
