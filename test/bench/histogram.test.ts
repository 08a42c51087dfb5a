import { describe, expect, test } from "bun:test";
import { bucketOf, bucketTop, Histogram } from "../../bench/loadgen/histogram.ts";

describe("Histogram", () => {
  test("buckets are exact below 128 and within 1/64 above", () => {
    for (const v of [0, 1, 127]) expect(bucketTop(bucketOf(v))).toBe(v);
    for (const v of [128, 1000, 12_345, 9_999_999, 2 ** 30]) {
      const top = bucketTop(bucketOf(v));
      expect(top).toBeGreaterThanOrEqual(v);
      expect((top - v) / v).toBeLessThan(1 / 64);
    }
  });

  test("buckets are contiguous: each top is the next bucket's start minus one", () => {
    for (let b = 0; b < 1500; b++) expect(bucketOf(bucketTop(b) + 1)).toBe(b + 1);
  });

  test("percentiles of 1..10000 land within bucket precision; max is exact", () => {
    const h = new Histogram();
    for (let v = 1; v <= 10_000; v++) h.record(v);
    expect(h.count).toBe(10_000);
    expect(h.max).toBe(10_000);
    expect(Math.abs(h.percentile(0.5) - 5000) / 5000).toBeLessThan(1 / 64);
    expect(Math.abs(h.percentile(0.99) - 9900) / 9900).toBeLessThan(1 / 64);
    expect(h.percentile(1)).toBe(10_000);
    expect(h.mean).toBeCloseTo(5000.5, 5);
  });

  test("an empty histogram answers 0", () => {
    expect(new Histogram().percentile(0.99)).toBe(0);
  });

  test("merging equals recording everything in one", () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let v = 0; v < 5000; v++) {
      (v % 3 === 0 ? a : b).record(v * 7);
      all.record(v * 7);
    }
    const merged = new Histogram();
    merged.merge(a.toData());
    merged.merge(b.toData());
    expect(merged.toData()).toEqual(all.toData());
    expect(merged.percentile(0.99)).toBe(all.percentile(0.99));
  });
});
