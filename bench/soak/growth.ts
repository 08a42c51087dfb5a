/**
 * Whether a measure of the server (RSS, heap, descriptors) grows without
 * bound over a soak: still climbing over the second half of the samples, and
 * well above where it stood after the first minute. Pure.
 */

/** One reading of a measure: minutes since the load started, and the value. */
export interface Point {
  minute: number;
  value: number;
}

/** The bound a measure must stay within (see SOAK_GROWTH in config.ts). */
export interface Bound {
  /** Largest slope over the second half allowed, in units per minute. */
  perMinute: number;
  /** How far above the first minute's level the last level may be. */
  slack: number;
  /** Samples the second half needs before its slope is judged. */
  minSamples: number;
  /** Minutes the samples must span before growth is judged at all. */
  minMinutes: number;
}

export interface Growth {
  /** Least-squares slope over the second half, per minute; null with too few samples. */
  slope: number | null;
  /** The level after the first minute (the median of its samples), and the last level (median of the last minute's). */
  first: number;
  last: number;
  /** Why it counts as growing without bound, or null. */
  unbounded: string | null;
}

/** Least-squares slope of value over minute; 0 for fewer than two distinct minutes. */
export function slope(points: readonly Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.minute, 0) / n;
  const my = points.reduce((s, p) => s + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.minute - mx) * (p.value - my);
    sxx += (p.minute - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

function medianOf(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Judge one measure's samples (in time order). The first minute's level is
 * the median of its samples; the last level the median of the samples of the
 * last minute; the slope is fitted over the samples of the second half.
 * `unit` names the unit of a value in the verdict ("MiB", "descriptors").
 */
export function growth(points: readonly Point[], bound: Bound, unit: string): Growth {
  if (points.length === 0) return { slope: null, first: 0, last: 0, unbounded: null };
  const end = (points[points.length - 1] as Point).minute;
  const firstMinute = points.filter((p) => p.minute <= 1);
  const first = medianOf((firstMinute.length > 0 ? firstMinute : points).map((p) => p.value));
  const last = medianOf(points.filter((p) => p.minute >= end - 1).map((p) => p.value));
  const half = points.filter((p) => p.minute >= end / 2);
  if (half.length < bound.minSamples || end < bound.minMinutes)
    return { slope: null, first, last, unbounded: null };
  const s = slope(half);
  const climbing = s > bound.perMinute;
  const above = last - first > bound.slack;
  const unbounded =
    climbing && above
      ? `grows without bound: ${fixed(s)} ${unit}/min over the second half (bound ${bound.perMinute}), ${fixed(first)} → ${fixed(last)} ${unit} (slack ${bound.slack})`
      : null;
  return { slope: s, first, last, unbounded };
}

function fixed(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(1);
}
