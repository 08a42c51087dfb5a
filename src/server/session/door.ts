/**
 * The door's clocks (--name-timeout), for name-clock.ts: one timer for every
 * connection at the door. Knows a connection only as its deadline and a flag.
 */

/** What the door knows of a connection: its deadline, and whether its clock runs in the door's line. */
export interface AtTheDoor {
  /** Its deadline (performance.now() ms) while its clock runs. */
  nameLeftMs: number;
  onDoorClock: boolean;
}

/**
 * The clocks that run from a connection's greeting. Each runs for the same
 * --name-timeout, so they end in the order they started: they wait in one
 * line, oldest first, under one timer for the oldest. A timer made and
 * cleared for every connection was 3-4% of a join's CPU, and a Set of them
 * cost as much again; a stopped clock is only unmarked (onDoorClock), and
 * passed over when its turn comes, or dropped when the line is trimmed
 * (once it holds more clocks that ended than running ones, plus 64), so a
 * connection that left is not kept for long. A clock stopped and started
 * again has less left than newer ones: it gets a timer of its own
 * (client.timer) instead.
 */
export class Door<C extends AtTheDoor> {
  /** Clocks started here, oldest first, from `head` on; some may have stopped since. */
  private line: C[] = [];
  private head = 0;
  /** How many of them still run. */
  private running = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly run = () => this.due();

  constructor(private readonly expired: (client: C) => void) {}

  /** Start `client`'s clock for `ms`, the same for every client. */
  start(client: C, ms: number): void {
    client.nameLeftMs = performance.now() + ms;
    client.onDoorClock = true;
    this.line.push(client);
    this.running++;
    if (this.timer === null) this.arm(ms);
  }

  /** Stop `client`'s clock (it got in, it closed, or it waits); false if it did not run here. */
  stop(client: C): boolean {
    if (!client.onDoorClock) return false;
    client.onDoorClock = false;
    this.running--;
    if (this.running === 0 && this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.trim();
    return true;
  }

  has(client: C): boolean {
    return client.onDoorClock;
  }

  /** Connections the line holds, stopped clocks included (what it keeps alive). */
  get held(): number {
    return this.line.length - this.head;
  }

  private arm(ms: number): void {
    // A clock started from inside due() armed one already: one timer at a time.
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(this.run, Math.max(1, Math.ceil(ms)));
  }

  /** The oldest clocks ran out: tell each, then wait for the next one. */
  private due(): void {
    this.timer = null;
    const now = performance.now();
    try {
      while (this.head < this.line.length) {
        const client = this.line[this.head] as C;
        if (!client.onDoorClock) {
          this.head++;
          continue;
        }
        if (client.nameLeftMs > now) break;
        this.head++;
        client.onDoorClock = false;
        this.running--;
        this.expired(client);
      }
    } finally {
      // Whatever happened to the last one told, the clocks after it still run.
      this.next();
    }
  }

  /** Arm the timer for the oldest clock still running. */
  private next(): void {
    while (this.head < this.line.length && !(this.line[this.head] as C).onDoorClock) this.head++;
    const oldest = this.line[this.head];
    // Always for the oldest: one started meanwhile (from a callback) armed for its own, later, end.
    if (oldest !== undefined) this.arm(oldest.nameLeftMs - performance.now());
    this.trim();
  }

  /**
   * Let go of the clocks that ended (stopped, or run out and behind `head`)
   * once they outnumber the running ones by more than 64.
   */
  private trim(): void {
    if (this.running === 0) {
      this.line = [];
      this.head = 0;
    } else if (this.line.length - this.running > this.running + 64) {
      this.line = this.line.slice(this.head).filter((c) => c.onDoorClock);
      this.head = 0;
    }
  }
}
