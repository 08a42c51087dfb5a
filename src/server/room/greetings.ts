/**
 * Greetings that wait for their connection's first line. A connection's
 * greeting is queued for it alone, but not written at once: a client that
 * speaks as it connects (papo's clients send their name or CAP at once)
 * gets the greeting and the answer in one write, a join in one packet
 * rather than two. Whoever waits for the greeting before typing (nc) reads
 * it at most `waitMs` later. The fan-out (fanout.ts) owns one and writes
 * what comes due.
 */

/** What the fan-out does when greetings come due. */
export interface GreetingHooks<M> {
  /** `member`'s greeting waited its time: it is owed its queue now. */
  due(member: M): void;
  /** Greetings came due: deliver now (after every `due`). */
  released(): void;
}

export class Greetings<M> {
  /** Connections whose greeting waits in their queue, oldest first. */
  private waiting: M[] = [];
  /** When each of them was greeted (now()), in the same order. */
  private since: number[] = [];
  private cancel: (() => void) | null = null;
  private readonly onTimer = () => {
    this.cancel = null;
    this.release(this.now() - this.waitMs);
  };

  /**
   * @param waitMs how long a greeting waits for its connection's first line.
   * @param later runs the next release after `ms`; returns its cancel.
   */
  constructor(
    private readonly waitMs: number,
    private readonly hooks: GreetingHooks<M>,
    private readonly now: () => number,
    private readonly later: (ms: number, run: () => void) => () => void,
  ) {}

  /** `member`'s greeting waits in its queue from now on. */
  add(member: M): void {
    this.waiting.push(member);
    this.since.push(this.now());
    this.cancel ??= this.later(this.waitMs, this.onTimer);
  }

  /** Every greeting waiting is due now, whatever its time (not `released`: the caller delivers). */
  all(): void {
    const waiting = this.waiting;
    this.close();
    for (const member of waiting) this.hooks.due(member);
  }

  /** The server is stopping: no more timer, nothing waits. */
  close(): void {
    this.cancel?.();
    this.cancel = null;
    this.waiting = [];
    this.since = [];
  }

  /** The greetings that waited their time (all up to `until`) are due; the timer runs again for the rest. */
  private release(until: number): void {
    const since = this.since;
    let due = 0;
    while (due < since.length && (since[due] as number) <= until) due++;
    for (let i = 0; i < due; i++) this.hooks.due(this.waiting[i] as M);
    if (due === since.length) {
      this.waiting = [];
      this.since = [];
    } else {
      this.waiting = this.waiting.slice(due);
      this.since = since.slice(due);
      const wait = Math.max(1, (this.since[0] as number) + this.waitMs - this.now());
      this.cancel = this.later(wait, this.onTimer);
    }
    this.hooks.released();
  }
}
