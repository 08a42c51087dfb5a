/**
 * A connection's outgoing bytes, for the server and the client alike. Bun's
 * socket.write does not buffer: it returns how many bytes the kernel took and
 * drops the rest. The outbox keeps that rest, in order, flushes it when the
 * socket drains, and reports when the backlog passes its cap so the owner can
 * evict a reader that cannot keep up. Pure: it sees a Sink, never a socket.
 */

import { concatBytes } from "../protocol/lines.ts";

/** The part of a socket the outbox writes to. */
export interface Sink {
  /** Returns bytes taken (possibly fewer than offered), or -1 once closed. */
  write(data: Uint8Array, byteOffset?: number, byteLength?: number): number;
}

/** What happened to bytes handed to {@link Outbox.send}. */
export const Sent = {
  /** The kernel took all of them; the caller may reuse the buffer. */
  Written: 0,
  /** Some are queued: the outbox holds a reference to the caller's buffer. */
  Queued: 1,
  /** Queued, and the backlog is now past the cap: evict this client. */
  Overflow: 2,
} as const;
export type Sent = (typeof Sent)[keyof typeof Sent];

export class Outbox<S extends Sink = Sink> {
  /** Pending chunks, oldest first; null while nothing is pending (the common case). */
  private chunks: Uint8Array[] | null = null;
  /** Bytes waiting in `chunks`. */
  queued = 0;

  constructor(
    protected readonly sink: S,
    private readonly cap: number,
  ) {}

  /** Write now if nothing is pending, otherwise queue behind what is. Never reorders. */
  send(bytes: Uint8Array): Sent {
    if (bytes.length === 0) return Sent.Written;
    if (this.chunks === null) {
      const taken = this.sink.write(bytes);
      // -1: the socket is closing; its close handler cleans up, nothing to keep.
      if (taken < 0 || taken >= bytes.length) return Sent.Written;
      this.chunks = [taken === 0 ? bytes : bytes.subarray(taken)];
      this.queued = bytes.length - taken;
    } else {
      this.chunks.push(bytes);
      this.queued += bytes.length;
    }
    return this.queued > this.cap ? Sent.Overflow : Sent.Queued;
  }

  /** Write as much of the backlog as the socket takes; true once it is empty. */
  flush(): boolean {
    const chunks = this.chunks;
    if (chunks === null) return true;
    // One write for the whole backlog rather than one syscall per chunk.
    const pending =
      chunks.length === 1 ? (chunks[0] as Uint8Array) : concatBytes(chunks, this.queued);
    const taken = this.sink.write(pending);
    if (taken < 0 || taken >= pending.length) {
      this.clear();
      return true;
    }
    this.chunks = [pending.subarray(taken)];
    this.queued = pending.length - taken;
    return false;
  }

  /** Drop the backlog (the client is gone). */
  clear(): void {
    this.chunks = null;
    this.queued = 0;
  }

  get empty(): boolean {
    return this.chunks === null;
  }
}
