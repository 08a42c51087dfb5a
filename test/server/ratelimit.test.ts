import { expect, test } from "bun:test";
import { TokenBucket } from "../../src/server/ratelimit.ts";

test("allows a burst, then the sustained rate", () => {
  const b = new TokenBucket(10, 20, 0);
  let allowed = 0;
  for (let i = 0; i < 50; i++) if (b.take(0)) allowed++;
  expect(allowed).toBe(20);
  expect(b.take(50)).toBe(false); // half a token
  expect(b.take(100)).toBe(true); // 100 ms at 10/s refills one
  expect(b.take(100)).toBe(false);
});

test("refills no higher than the burst", () => {
  const b = new TokenBucket(10, 5, 0);
  let allowed = 0;
  for (let i = 0; i < 50; i++) if (b.take(60_000)) allowed++;
  expect(allowed).toBe(5);
});

test("rate 0 turns it off", () => {
  const b = new TokenBucket(0, 1, 0);
  for (let i = 0; i < 1000; i++) expect(b.take(0)).toBe(true);
});

test("warns at most once per second", () => {
  const b = new TokenBucket(1, 1, 0);
  expect(b.shouldWarn(0)).toBe(true);
  expect(b.shouldWarn(999)).toBe(false);
  expect(b.shouldWarn(1000)).toBe(true);
});
