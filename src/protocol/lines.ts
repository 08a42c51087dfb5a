/**
 * Line framing for protocol v1: bytes in, lines out; text in, bytes out.
 *
 * Pure: no sockets, no Bun APIs. The decoder survives any chunking (lines split
 * across reads, many lines per read, UTF-8 characters and telnet commands split
 * across reads), enforces a maximum line length, and after an over-long line
 * discards everything up to the next newline before it resumes.
 *
 * Users arrive with `telnet` and with Latin-1 terminals, so the decoder drops
 * telnet commands from the byte stream and reads each line as UTF-8 when it is
 * valid UTF-8, else as Latin-1 (ISO-8859-1), as many IRC servers do.
 */

import { utf8Lenient } from "./utf8.ts";

const NL = 0x0a;
const CR = 0x0d;

/** Telnet (RFC 854): IAC starts a command; IAC IAC is a data byte 0xFF. */
const IAC = 0xff;
/** Commands are 0xF0 to 0xFF; SE ends a subnegotiation that SB began. */
const FIRST_COMMAND = 0xf0;
const SE = 0xf0;
const SB = 0xfa;
/** WILL, WONT, DO and DONT (0xFB to 0xFE) are followed by one option byte. */
const WILL = 0xfb;

/** Where the telnet filter stands in the byte stream, kept across reads. */
const IN_DATA = 0;
const AFTER_IAC = 1;
const AT_OPTION = 2;
const IN_SUB = 3;
const IN_SUB_AFTER_IAC = 4;
type TelnetState = 0 | 1 | 2 | 3 | 4;

/** Smallest buffer the decoder allocates to append chunks fed while one is held. */
const MIN_OWN_BYTES = 4096;

/** Marker the decoder yields, once, for each line that exceeded the limit. */
export const LINE_TOO_LONG: unique symbol = Symbol("line too long");
export type Decoded = string | typeof LINE_TOO_LONG;

/** Throws on invalid UTF-8, which is rare: then the line is read as Latin-1. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
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
  /**
   * Set when `chunk` is a view of a buffer of the decoder's own (chunks were
   * fed while one was held): more chunks are appended in its spare room, so
   * many small feeds cost linear time, not a copy of everything held each.
   */
  private own: Uint8Array | null = null;
  /** A telnet command in progress at the end of the last chunk fed. */
  private telnet: TelnetState = IN_DATA;

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

  /** Bytes fed that next() has not looked at yet. */
  get heldBytes(): number {
    return this.chunk === null ? 0 : this.chunk.length - this.at;
  }

  /**
   * Hand over a chunk to read with next(). The decoder keeps it (no copy
   * unless it holds telnet commands) until next() has consumed it; feeding
   * more before that appends (into a buffer of its own that doubles, so
   * appending is amortised linear).
   */
  feed(chunk: Uint8Array): void {
    // UTF-8 text never holds 0xFF, so most chunks skip the telnet filter.
    if (this.telnet !== IN_DATA || chunk.indexOf(IAC) !== -1) chunk = this.dropTelnet(chunk);
    if (chunk.length === 0) return;
    const held = this.chunk;
    if (held === null) {
      this.chunk = chunk;
      this.at = 0;
      return;
    }
    const own = this.own;
    if (own !== null && held.length + chunk.length <= own.length) {
      own.set(chunk, held.length);
      this.chunk = own.subarray(0, held.length + chunk.length);
      return;
    }
    const rest = held.length - this.at;
    const joined = new Uint8Array(Math.max(MIN_OWN_BYTES, 2 * (rest + chunk.length)));
    joined.set(held.subarray(this.at));
    joined.set(chunk, rest);
    this.own = joined;
    this.chunk = joined.subarray(0, rest + chunk.length);
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
        return this.yielded(this.line(chunk, start, stop), end);
      } else if (!this.append(chunk, start, stop)) {
        // Too long: skip up to the newline, which may be in this very chunk.
        this.release();
        this.discarding = nl === -1;
        return this.yielded(LINE_TOO_LONG, end);
      } else if (nl !== -1) {
        const line = this.line(this.partial as Uint8Array, 0, this.partialLength);
        this.release();
        return this.yielded(line, end);
      }
    }
    this.chunk = null;
    this.own = null;
    return undefined;
  }

  /**
   * `line`, and the chunk let go if that line was its last byte: `holding`
   * then says whether more bytes wait, so a caller that asks before taking a
   * line (flood control) is not told a line may follow when none does.
   */
  private yielded(line: Decoded, end: number): Decoded {
    if (this.at >= end) {
      this.chunk = null;
      this.own = null;
    }
    return line;
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
    this.own = null;
    this.telnet = IN_DATA;
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
    if (from === to) return "";
    // Read leniently first (no view, no exception): only a line with U+FFFD in it, from
    // invalid bytes or sent as such, is read again strictly, to fall back to Latin-1.
    const text = utf8Lenient(bytes, from, to);
    return text.includes("\uFFFD") ? decodeText(bytes.subarray(from, to)) : text;
  }

  /**
   * The chunk without its telnet commands, in a copy. A command may start in
   * one chunk and end in a later one. NOTE: IAC before a byte that is no
   * command (below 0xF0) is kept as data, since that is how a Latin-1 "ÿ"
   * arrives from a client that does not speak telnet.
   */
  private dropTelnet(chunk: Uint8Array): Uint8Array {
    // One more byte than the chunk: an IAC held from the last chunk may be data.
    const out = new Uint8Array(chunk.length + 1);
    let n = 0;
    let state = this.telnet;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      switch (state) {
        case IN_DATA:
          if (byte === IAC) state = AFTER_IAC;
          else out[n++] = byte;
          break;
        case AFTER_IAC:
          if (byte === SB) state = IN_SUB;
          else if (byte === IAC || byte < FIRST_COMMAND) {
            out[n++] = IAC;
            if (byte !== IAC) out[n++] = byte;
            state = IN_DATA;
          } else state = byte >= WILL ? AT_OPTION : IN_DATA;
          break;
        case AT_OPTION:
          state = IN_DATA;
          break;
        case IN_SUB:
          if (byte === IAC) state = IN_SUB_AFTER_IAC;
          break;
        case IN_SUB_AFTER_IAC:
          state = byte === SE ? IN_DATA : IN_SUB;
          break;
      }
    }
    this.telnet = state;
    return out.subarray(0, n);
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

/** A line's text: UTF-8 when the bytes are valid UTF-8, else Latin-1. */
function decodeText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1(bytes);
  }
}

/** ISO-8859-1: each byte is the code point of the same value. */
function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i] as number);
  return text;
}

/** Encode one protocol line (adds the "\n"). */
export function encodeLine(text: string): Uint8Array {
  return encoder.encode(`${text}\n`);
}
