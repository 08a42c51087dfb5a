/**
 * Keepalive in batches (transport/keepalive.ts): every socket let in gets it
 * within one batch, with one timer per batch, out of a burst of arrivals
 * but never later than the batch's longest wait; a socket closed meanwhile
 * is left alone. test/socket/keepalive.test.ts reads the kernel's own timer.
 */

import { afterEach, expect, jest, test } from "bun:test";
import {
  KEEPALIVE_BATCH_MS,
  KEEPALIVE_MAX_WAIT_MS,
  KEEPALIVE_QUIET_MS,
  KeepAliveBatch,
} from "../../../src/server/transport/keepalive.ts";

afterEach(() => {
  jest.useRealTimers();
});

function socket(open = true) {
  const calls: Array<[boolean, number]> = [];
  return {
    readyState: open ? 1 : 0,
    calls,
    setKeepAlive(enable: boolean, delay: number) {
      calls.push([enable, delay]);
      return true;
    },
  };
}

/** Fake timers and a clock that moves with them, in steps of `step` ms. */
function fakeTime() {
  jest.useFakeTimers();
  let t = 1_000;
  const advance = (ms: number, step = 10) => {
    for (let left = ms; left > 0; left -= step) {
      const d = Math.min(step, left);
      t += d;
      jest.advanceTimersByTime(d);
    }
  };
  return { now: () => t, advance };
}

test("sockets added within a batch get keepalive together, when the batch time is up", () => {
  const { now, advance } = fakeTime();
  const batch = new KeepAliveBatch(60_000, { now });
  const a = socket();
  const b = socket();
  batch.add(a);
  advance(KEEPALIVE_BATCH_MS - KEEPALIVE_QUIET_MS);
  batch.add(b);
  expect(a.calls).toEqual([]);
  expect(batch.count).toBe(2);
  advance(KEEPALIVE_QUIET_MS);
  expect(a.calls).toEqual([[true, 60_000]]);
  expect(b.calls).toEqual([[true, 60_000]]);
  expect(batch.count).toBe(0);
  // The next socket starts the next batch.
  const c = socket();
  batch.add(c);
  advance(KEEPALIVE_BATCH_MS);
  expect(c.calls).toEqual([[true, 60_000]]);
  expect(a.calls.length).toBe(1);
});

test("a batch due while connections still arrive waits for a quiet moment", () => {
  const { now, advance } = fakeTime();
  const batch = new KeepAliveBatch(60_000, { now });
  const first = socket();
  batch.add(first);
  advance(KEEPALIVE_BATCH_MS - 50);
  // A burst: a connection every 100 ms across the batch's time and a second beyond.
  for (let k = 0; k < 12; k++) {
    batch.add(socket());
    advance(100);
    expect(first.calls).toEqual([]);
  }
  // No arrival for the quiet time: the batch runs.
  advance(KEEPALIVE_QUIET_MS);
  expect(first.calls).toEqual([[true, 60_000]]);
  expect(batch.count).toBe(0);
});

test("arrivals that never stop hold a batch no longer than its longest wait", () => {
  const { now, advance } = fakeTime();
  const batch = new KeepAliveBatch(60_000, { now });
  const first = socket();
  batch.add(first);
  let waited = 0;
  while (first.calls.length === 0) {
    batch.add(socket());
    advance(100);
    waited += 100;
    expect(waited).toBeLessThanOrEqual(KEEPALIVE_MAX_WAIT_MS);
  }
  expect(waited).toBeGreaterThan(KEEPALIVE_MAX_WAIT_MS - 200);
});

test("a socket closed before its batch is left alone", () => {
  const batch = new KeepAliveBatch(30_000, { batchMs: 1_000 });
  const open = socket();
  const closed = socket(false);
  batch.add(open);
  batch.add(closed);
  batch.run();
  expect(open.calls).toEqual([[true, 30_000]]);
  expect(closed.calls).toEqual([]);
  expect(batch.count).toBe(0);
});

test("a throw in a batch goes to its guard, and the next batch still runs", () => {
  const { now, advance } = fakeTime();
  const caught: unknown[] = [];
  const batch = new KeepAliveBatch(60_000, { batchMs: 1_000, now }, (run) => () => {
    try {
      run();
    } catch (error) {
      caught.push(error);
    }
  });
  const broken = {
    readyState: 1,
    setKeepAlive(): boolean {
      throw new Error("boom");
    },
  };
  batch.add(broken);
  advance(1_000);
  expect(caught).toHaveLength(1);
  const fine = socket();
  batch.add(fine);
  advance(1_000);
  expect(fine.calls).toEqual([[true, 60_000]]);
});
