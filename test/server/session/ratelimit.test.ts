import { expect, test } from "bun:test";
import { TokenBucket } from "../../../src/server/session/ratelimit.ts";

/** Take lines at `now` until one would have to wait; how many went. */
function takeAll(b: TokenBucket, now: number, most = 1000): number {
  let taken = 0;
  while (taken < most && b.wait(now) === 0) {
    b.take(now);
    taken++;
  }
  return taken;
}

test("allows a burst, then says how long the next line waits", () => {
  const b = new TokenBucket(10, 20, 0);
  expect(takeAll(b, 0)).toBe(20);
  expect(b.wait(0)).toBeCloseTo(100);
  expect(b.wait(50)).toBeCloseTo(50); // half a token refilled
  expect(b.wait(100)).toBe(0); // 100 ms at 10/s refills one
  b.take(100);
  expect(b.wait(100)).toBeCloseTo(100);
});

test("refills no higher than the burst", () => {
  const b = new TokenBucket(10, 5, 0);
  expect(takeAll(b, 60_000)).toBe(5);
});

test("rate 0 turns it off", () => {
  const b = new TokenBucket(0, 1, 0);
  expect(takeAll(b, 0, 1000)).toBe(1000);
});

test("warns once per burst: again only after the bucket was full", () => {
  const b = new TokenBucket(10, 2, 0);
  takeAll(b, 0);
  expect(b.shouldWarn(0)).toBe(true);
  expect(b.shouldWarn(100)).toBe(false);
  b.take(100);
  // Still sending at about the rate: the same burst, no second warning.
  expect(b.shouldWarn(150)).toBe(false);
  // Quiet long enough to refill the burst: the next delay is a new burst.
  takeAll(b, 1000);
  expect(b.shouldWarn(1000)).toBe(true);
});
