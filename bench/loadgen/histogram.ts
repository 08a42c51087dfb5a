/**
 * Latency histogram with log-linear buckets (the HdrHistogram idea, small):
 * exact below 128 µs, then 64 buckets per power of two, so any percentile is
 * within 1.6% while millions of samples cost a few kilobytes. Pure; histograms
 * from several load generators merge by adding counts.
 */

const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
/** Values past this (about 35 minutes in µs) land in the last bucket. */
const MAX_VALUE = 2 ** 31 - 1;
const BUCKETS = (31 - SUB_BITS + 1) * SUB + SUB;

/** Bucket of a non-negative integer value. */
export function bucketOf(value: number): number {
  const v = Math.min(MAX_VALUE, Math.max(0, Math.floor(value)));
  if (v < 2 * SUB) return v;
  const shift = 31 - Math.clz32(v) - SUB_BITS;
  return (shift + 1) * SUB + (v >> shift) - SUB;
}

/** Highest value that falls in `bucket`. */
export function bucketTop(bucket: number): number {
  if (bucket < 2 * SUB) return bucket;
  const shift = Math.floor(bucket / SUB) - 1;
  return (((bucket % SUB) + SUB + 1) << shift) - 1;
}

/** A histogram as sent between processes: sparse [bucket, count] pairs plus exact extremes. */
export interface HistogramData {
  pairs: number[];
  count: number;
  max: number;
  sum: number;
}

export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  max = 0;
  sum = 0;

  record(value: number): void {
    const b = bucketOf(value);
    this.counts[b] = (this.counts[b] as number) + 1;
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  /** Value at or below which `fraction` (0..1) of the samples lie; 0 when empty. */
  percentile(fraction: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(fraction * this.count));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b] as number;
      if (seen >= rank) return Math.min(bucketTop(b), this.max);
    }
    return this.max;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  toData(): HistogramData {
    const pairs: number[] = [];
    for (let b = 0; b < BUCKETS; b++) {
      const n = this.counts[b] as number;
      if (n > 0) pairs.push(b, n);
    }
    return { pairs, count: this.count, max: this.max, sum: this.sum };
  }

  /** Add another histogram's samples to this one. */
  merge(data: HistogramData): void {
    for (let i = 0; i + 1 < data.pairs.length; i += 2) {
      const b = data.pairs[i] as number;
      this.counts[b] = (this.counts[b] as number) + (data.pairs[i + 1] as number);
    }
    this.count += data.count;
    this.sum += data.sum;
    if (data.max > this.max) this.max = data.max;
  }
}
