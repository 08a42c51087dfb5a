/** Number formatting shared by the progress line, the tables and the chart. Pure. */

/** 1536 → "1.5 KiB"; 3.2e9 → "3.0 GiB". */
export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Deliveries per second, short: 12.3M/s, 456k/s, 789/s. */
export function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(perSecond >= 1e7 ? 1 : 2)}M/s`;
  if (perSecond >= 1e3) return `${Math.round(perSecond / 1e3)}k/s`;
  return `${Math.round(perSecond)}/s`;
}

/** A count with thousands separators. */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Milliseconds with sensible precision: 0.42 ms, 12.3 ms, 1,234 ms. */
export function ms(value: number): string {
  if (value < 1) return `${value.toFixed(2)} ms`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  return `${count(value)} ms`;
}

/** A ratio as "23.4×". */
export function times(ratio: number): string {
  return `${ratio >= 100 ? Math.round(ratio) : ratio.toFixed(1)}×`;
}

/** A share of one core as a percentage: 0.97 → "97%". */
export function cores(share: number): string {
  return `${Math.round(share * 100)}%`;
}
