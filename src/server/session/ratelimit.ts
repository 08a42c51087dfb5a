/**
 * Per-client flood control: a token bucket refilled continuously at `rate`
 * tokens per second up to `burst`. A line that finds the bucket empty waits
 * (the session holds it and stops reading the socket); it is never dropped.
 * Pure: the caller passes the clock.
 */

export class TokenBucket {
  private tokens: number;
  private stamp: number;
  /** The sender was told its lines are delayed, and the bucket has not been full since. */
  private warned = false;

  /** @param rate lines per second sustained; 0 turns the bucket off (never waits). */
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.stamp = now;
  }

  /** Milliseconds until a line may be taken; 0 when one may be taken now. */
  wait(now: number): number {
    if (this.rate <= 0) return 0;
    this.refill(now);
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.rate) * 1000;
  }

  /** Spend one token (after wait() said 0). */
  take(now: number): void {
    if (this.rate <= 0) return;
    this.refill(now);
    this.tokens -= 1;
  }

  /**
   * True once per burst: the first time a line has to wait since the bucket
   * was last full, so a sender is told once, not once per line.
   */
  shouldWarn(now: number): boolean {
    this.refill(now);
    if (this.warned) return false;
    this.warned = true;
    return true;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.stamp) / 1000) * this.rate);
    this.stamp = now;
    if (this.tokens >= this.burst) this.warned = false;
  }
}
