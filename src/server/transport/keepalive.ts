/**
 * TCP keepalive for new connections, turned on in batches. Turning it on is
 * four system calls per socket (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL,
 * TCP_KEEPCNT): made as each connection opens, they were a join's dearest
 * step after its writes, paid in the middle of a burst of joins (a class
 * arriving, everyone resuming after a restart). Nothing is probed before
 * KEEPALIVE_MS of silence anyway, so turning it on up to MAX_WAIT_MS later
 * changes nothing a peer can see, and a connection that lives less than a
 * batch's wait never pays for it. A batch due while connections are still arriving
 * (one in the last QUIET_MS) waits for the burst to end, at most MAX_WAIT_MS
 * from its first socket: 10,000 sockets' keepalive is some 60 ms of system
 * calls, which would otherwise land inside the burst it was kept out of.
 */

/** Idle time before the first probe (ms). */
export const KEEPALIVE_MS = 60_000;

/** Wait between a batch's first connection opening and its keepalive being on, in quiet (ms). */
export const KEEPALIVE_BATCH_MS = 5_000;

/** No connection opened for this long: the burst of arrivals is over, a batch due may run (ms). */
export const KEEPALIVE_QUIET_MS = 250;

/** Longest wait between a connection opening and its keepalive being on, arrivals or not (ms). */
export const KEEPALIVE_MAX_WAIT_MS = 30_000;

/** What a batch needs of a socket (Bun's TCP socket has it). */
export interface KeepAliveSocket {
  /** Positive while the socket is open. */
  readonly readyState: number;
  setKeepAlive(enable: boolean, initialDelay: number): boolean;
}

/** When a batch runs (ms); the defaults are the KEEPALIVE_ constants. */
export interface BatchTimes {
  batchMs?: number;
  quietMs?: number;
  maxWaitMs?: number;
  /** The clock (performance.now() ms). */
  now?: () => number;
}

export class KeepAliveBatch {
  private waiting: KeepAliveSocket[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the batch's first socket, and its latest, were added (now()). */
  private firstAt = 0;
  private lastAt = 0;
  private readonly batchMs: number;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;

  private readonly runBatch: () => void;

  /**
   * @param guard wraps the batch's timer callback (guard.ts's guarded: a
   *   throw there is logged, and stops neither the server nor later batches).
   */
  constructor(
    private readonly idleMs = KEEPALIVE_MS,
    times: BatchTimes = {},
    guard: (run: () => void) => () => void = (run) => run,
  ) {
    this.batchMs = times.batchMs ?? KEEPALIVE_BATCH_MS;
    this.quietMs = times.quietMs ?? KEEPALIVE_QUIET_MS;
    this.maxWaitMs = times.maxWaitMs ?? KEEPALIVE_MAX_WAIT_MS;
    this.now = times.now ?? (() => performance.now());
    this.runBatch = guard(() => this.due());
  }

  /** Sockets waiting for their keepalive. */
  get count(): number {
    return this.waiting.length;
  }

  /** `socket` gets its keepalive with the next batch (within maxWaitMs). */
  add(socket: KeepAliveSocket): void {
    this.waiting.push(socket);
    this.lastAt = this.now();
    if (this.timer !== null) return;
    this.firstAt = this.lastAt;
    this.arm(this.batchMs);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.runBatch, ms);
    // A batch never keeps the process alive: with the listener stopped, its sockets are gone.
    this.timer.unref();
  }

  /** The batch's time is up: it runs, unless connections still arrive and it may wait longer. */
  private due(): void {
    this.timer = null;
    const now = this.now();
    const quietIn = this.lastAt + this.quietMs - now;
    const lastChance = this.firstAt + this.maxWaitMs - now;
    if (quietIn > 0 && lastChance > 0) {
      this.arm(Math.min(quietIn, lastChance));
      return;
    }
    this.run();
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
