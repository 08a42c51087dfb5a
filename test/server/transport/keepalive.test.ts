/**
 * Keepalive in batches (transport/keepalive.ts): every socket let in gets it
 * within one batch, with one timer per batch; a socket closed meanwhile is
 * left alone. test/socket/keepalive.test.ts reads the kernel's own timer.
 */

import { afterEach, expect, jest, test } from "bun:test";
import { KEEPALIVE_BATCH_MS, KeepAliveBatch } from "../../../src/server/transport/keepalive.ts";

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

test("sockets added within a batch get keepalive together, when the batch time is up", () => {
  jest.useFakeTimers();
  const batch = new KeepAliveBatch(60_000, KEEPALIVE_BATCH_MS);
  const a = socket();
  const b = socket();
  batch.add(a);
  jest.advanceTimersByTime(KEEPALIVE_BATCH_MS - 1);
  batch.add(b);
  expect(a.calls).toEqual([]);
  expect(batch.count).toBe(2);
  jest.advanceTimersByTime(1);
  expect(a.calls).toEqual([[true, 60_000]]);
  expect(b.calls).toEqual([[true, 60_000]]);
  expect(batch.count).toBe(0);
  // The next socket starts the next batch.
  const c = socket();
  batch.add(c);
  jest.advanceTimersByTime(KEEPALIVE_BATCH_MS);
  expect(c.calls).toEqual([[true, 60_000]]);
  expect(a.calls.length).toBe(1);
});

test("a socket closed before its batch is left alone", () => {
  const batch = new KeepAliveBatch(30_000, 1_000);
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
  jest.useFakeTimers();
  const caught: unknown[] = [];
  const batch = new KeepAliveBatch(60_000, 1_000, (run) => () => {
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
  jest.advanceTimersByTime(1_000);
  expect(caught).toHaveLength(1);
  const fine = socket();
  batch.add(fine);
  jest.advanceTimersByTime(1_000);
  expect(fine.calls).toEqual([[true, 60_000]]);
});
