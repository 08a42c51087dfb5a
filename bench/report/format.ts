/** Number formatting shared by the progress line, the tables and the chart: one set. Pure. */

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

/** How a rate around `perSecond` is written: divisor, decimals, unit. */
function rateScale(perSecond: number): [number, number, string] {
  if (perSecond >= 1e6) return [1e6, perSecond >= 1e8 ? 0 : perSecond >= 1e7 ? 1 : 2, "M/s"];
  if (perSecond >= 1e3) return [1e3, 0, "k/s"];
  return [1, 0, "/s"];
}

/** Deliveries per second, short: 12.3M/s, 4.56M/s, 456k/s, 789/s. */
export function rate(perSecond: number): string {
  const [divisor, decimals, unit] = rateScale(perSecond);
  return `${(perSecond / divisor).toFixed(decimals)}${unit}`;
}

/** Lowest to highest of several rates, in the unit of the highest: "9.9–12.3M/s", "350–413k/s". */
export function rateRange(rates: readonly number[]): string {
  const low = Math.min(...rates);
  const high = Math.max(...rates);
  const [divisor, decimals, unit] = rateScale(high);
  return `${(low / divisor).toFixed(decimals)}–${(high / divisor).toFixed(decimals)}${unit}`;
}

/** A count with thousands separators. */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A count and its noun, plural unless it is one: "1 run", "3 runs". */
export function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/** Milliseconds with sensible precision: 0.42 ms, 12.3 ms, 456 ms, 1.23 s, 18.6 s. */
export function ms(value: number): string {
  if (value < 1) return `${value.toFixed(2)} ms`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  if (value < 1000) return `${Math.round(value)} ms`;
  const seconds = value / 1000;
  return `${seconds.toFixed(seconds < 10 ? 2 : seconds < 100 ? 1 : 0)} s`;
}

/** A difference of times in ms, with its sign: "+3.2 ms", "−0.40 ms". */
export function signedMs(value: number): string {
  return `${value < 0 ? "−" : "+"}${ms(Math.abs(value))}`;
}

/** A time given in nanoseconds, in the unit that suits it: 7.2 ns, 151 ns, 2.3 µs, 12 µs, 1.5 ms. */
export function ns(value: number): string {
  const [scaled, unit] =
    value >= 1e6 ? [value / 1e6, "ms"] : value >= 1e3 ? [value / 1e3, "µs"] : [value, "ns"];
  return `${scaled.toFixed(scaled < 10 ? 1 : 0)} ${unit}`;
}

/** A ratio as "23.4×". */
export function times(ratio: number): string {
  return `${ratio >= 100 ? Math.round(ratio) : ratio.toFixed(1)}×`;
}

/** A share of one core as a percentage: 0.97 → "97%". */
export function cores(share: number): string {
  return `${Math.round(share * 100)}%`;
}
