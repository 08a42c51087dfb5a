/**
 * TCP keepalive for new connections, turned on in batches. Turning it on is
 * four system calls per socket (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL,
 * TCP_KEEPCNT): made as each connection opens, they were a join's dearest
 * step after its writes, paid in the middle of a burst of joins (a class
 * arriving, everyone resuming after a restart). Nothing is probed before
 * KEEPALIVE_MS of silence anyway, so turning it on up to BATCH_MS later
 * changes nothing a peer can see, and a connection that lives less than
 * that never pays for it.
 */

/** Idle time before the first probe (ms). */
export const KEEPALIVE_MS = 60_000;

/** Longest wait between a connection opening and its keepalive being on (ms). */
export const KEEPALIVE_BATCH_MS = 5_000;

/** What a batch needs of a socket (Bun's TCP socket has it). */
export interface KeepAliveSocket {
  /** Positive while the socket is open. */
  readonly readyState: number;
  setKeepAlive(enable: boolean, initialDelay: number): boolean;
}

export class KeepAliveBatch {
  private waiting: KeepAliveSocket[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  private readonly runBatch: () => void;

  /**
   * @param guard wraps the batch's timer callback (guard.ts's guarded: a
   *   throw there is logged, and stops neither the server nor later batches).
   */
  constructor(
    private readonly idleMs = KEEPALIVE_MS,
    private readonly batchMs = KEEPALIVE_BATCH_MS,
    guard: (run: () => void) => () => void = (run) => run,
  ) {
    this.runBatch = guard(() => this.run());
  }

  /** Sockets waiting for their keepalive. */
  get count(): number {
    return this.waiting.length;
  }

  /** `socket` gets its keepalive with the next batch (within batchMs). */
  add(socket: KeepAliveSocket): void {
    this.waiting.push(socket);
    if (this.timer !== null) return;
    this.timer = setTimeout(this.runBatch, this.batchMs);
    // A batch never keeps the process alive: with the listener stopped, its sockets are gone.
    this.timer.unref();
  }

  /** Turn keepalive on for every socket waiting that is still open. */
  run(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const waiting = this.waiting;
    this.waiting = [];
    // A closed socket (readyState 0 or less) is skipped: Bun would refuse it anyway.
    for (const socket of waiting) {
      if (socket.readyState > 0) socket.setKeepAlive(true, this.idleMs);
    }
  }
}
