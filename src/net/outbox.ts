/**
 * A connection's outgoing bytes, for the server and the client alike. Bun's
 * socket.write does not buffer: it returns how many bytes the kernel took and
 * drops the rest. The outbox copies that rest into a buffer of its own, in
 * order, writes it out when the socket drains, and reports when the backlog
 * passes its cap so the owner can evict a reader that cannot keep up.
 *
 * Only what the kernel did not take is ever copied, so callers may reuse their
 * buffer as soon as send() returns, and a backlog holds no memory beyond its
 * own bytes (never a view that pins someone else's buffer). The backlog is one
 * buffer with a read offset: a drain writes from the offset without
 * concatenating anything, so a steady backlog costs linear time, not quadratic.
 * Pure: it sees a Sink, never a socket.
 */

/** The part of a socket the outbox writes to (Bun's socket.write has this shape). */
export interface Sink {
  /** Returns bytes taken (possibly fewer than offered), or -1 once closed. */
  write(data: Uint8Array, byteOffset: number, byteLength: number): number;
}

/** What happened to bytes handed to {@link Outbox.send}. */
export const Sent = {
  /** The kernel took all of them. */
  Written: 0,
  /** Some wait in the backlog (copied: the caller's buffer is free). */
  Queued: 1,
  /** Queued, and the backlog is now past the cap: evict this client. */
  Overflow: 2,
} as const;
export type Sent = (typeof Sent)[keyof typeof Sent];

/** Smallest backlog buffer: small enough for ten thousand idle clients, large enough to grow rarely. */
const MIN_BACKLOG_BUFFER = 4096;

export class Outbox<S extends Sink = Sink> {
  /** The backlog's buffer; null while nothing waits (the common case, and free). */
  private buffer: Uint8Array | null = null;
  /** First byte not yet taken by the kernel. */
  private head = 0;
  /** End of the backlog. */
  private tail = 0;

  constructor(
    protected readonly sink: S,
    private readonly cap: number,
  ) {}

  /** Bytes waiting to be written. */
  get backlog(): number {
    return this.tail - this.head;
  }

  /** Write now if nothing is waiting, otherwise queue behind what is. Never reorders. */
  send(bytes: Uint8Array): Sent {
    const length = bytes.length;
    if (length === 0) return this.buffer === null ? Sent.Written : this.state();
    if (this.buffer === null) {
      const taken = this.sink.write(bytes, 0, length);
      // -1: the socket is closing; its close handler cleans up, nothing to keep.
      if (taken < 0 || taken >= length) return Sent.Written;
      this.keep(bytes, taken);
    } else {
      this.keep(bytes, 0);
    }
    return this.state();
  }

  /** Write as much of the backlog as the socket takes; true once it is empty. */
  flush(): boolean {
    const buffer = this.buffer;
    if (buffer === null) return true;
    const taken = this.sink.write(buffer, this.head, this.tail - this.head);
    if (taken < 0 || this.head + taken >= this.tail) {
      this.dropBacklog();
      return true;
    }
    this.head += taken;
    return false;
  }

  /** Forget the backlog (the connection is gone or being cut). */
  dropBacklog(): void {
    this.buffer = null;
    this.head = 0;
    this.tail = 0;
  }

  private state(): Sent {
    return this.tail - this.head > this.cap ? Sent.Overflow : Sent.Queued;
  }

  /** Copy bytes[from..] behind the backlog, making room by compacting or growing. */
  private keep(bytes: Uint8Array, from: number): void {
    const adding = bytes.length - from;
    let buffer = this.buffer;
    const pending = this.tail - this.head;
    const needed = pending + adding;
    if (buffer === null || this.tail + adding > buffer.length) {
      if (buffer !== null && needed <= buffer.length && this.head >= pending) {
        // Enough room once the written part is reclaimed, and the move is cheap
        // (no more bytes than were already written): amortised linear.
        buffer.copyWithin(0, this.head, this.tail);
      } else {
        // Double up to the cap; past it only what is needed (the client is
        // about to be evicted), so a capped backlog holds about its cap.
        const size = buffer === null ? 0 : buffer.length;
        const grown = new Uint8Array(
          Math.max(needed, MIN_BACKLOG_BUFFER, Math.min(size * 2, this.cap)),
        );
        if (buffer !== null) grown.set(buffer.subarray(this.head, this.tail));
        buffer = grown;
        this.buffer = grown;
      }
      this.head = 0;
      this.tail = pending;
    }
    buffer.set(from === 0 ? bytes : bytes.subarray(from), this.tail);
    this.tail += adding;
  }
}
