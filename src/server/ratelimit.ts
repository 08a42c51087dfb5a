/**
 * Per-client flood control: a token bucket refilled continuously at `rate`
 * tokens per second up to `burst`. Pure: the caller passes the clock.
 */

export class TokenBucket {
  private tokens: number;
  private stamp: number;
  private warnedAt = Number.NEGATIVE_INFINITY;

  /** @param rate lines per second sustained; 0 turns the bucket off (always allows). */
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.stamp = now;
  }

  /** Take one token; false when the line should be dropped. */
  take(now: number): boolean {
    if (this.rate <= 0) return true;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.stamp) / 1000) * this.rate);
    this.stamp = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True at most once per second: whether a dropped line deserves a warning. */
  shouldWarn(now: number): boolean {
    if (now - this.warnedAt < 1000) return false;
    this.warnedAt = now;
    return true;
  }
}
