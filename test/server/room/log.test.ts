/** The room's log on its own: positions, the window, finding a position after trims, epochs. */

import { describe, expect, test } from "bun:test";
import {
  NO_POSITION,
  newEpoch,
  OWN_POSITION,
  RoomLog,
  type Segment,
} from "../../../src/server/room/log.ts";

/** A turn of `count` lines that counts `size` bytes against the window. */
function segment(first: number, count: number, size: number): Segment {
  return { first, count, renderings: [], owners: new Int32Array(count), size };
}

/** Take `count` positions and append them as one turn of `size` bytes; returns the positions. */
function turn(log: RoomLog, count: number, size: number): number[] {
  const taken = Array.from({ length: count }, () => log.take());
  log.append(segment(taken[0] as number, count, size));
  return taken;
}

describe("RoomLog", () => {
  test("positions grow by one per line and are never reused, whatever is trimmed", () => {
    const log = new RoomLog(newEpoch(), 100);
    expect(log.next).toBe(1);
    expect([log.take(), log.take(), log.take()]).toEqual([1, 2, 3]);
    // Taken but not yet in a segment: not readable yet.
    expect(log.end).toBe(1);
    expect(log.next).toBe(4);
    log.append(segment(1, 3, 30));
    expect(log.end).toBe(4);
    const seen = [1, 2, 3];
    for (let i = 0; i < 50; i++) seen.push(...turn(log, 2, 40));
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
    expect(log.next).toBe(seen.length + 1);
    expect(log.first).toBeGreaterThan(1);
  });

  test("a log may start at any position (a store's next one)", () => {
    const log = new RoomLog(newEpoch(), 100, 42);
    expect(log.take()).toBe(42);
    expect(log.first).toBe(42);
  });

  test("an empty log keeps nothing: its first is its end", () => {
    const log = new RoomLog(newEpoch(), 100);
    expect([log.first, log.end, log.size]).toEqual([1, 1, 0]);
    expect(log.find(1)).toBeUndefined();
  });

  test("the oldest turns go once the window is full; the newest is always kept", () => {
    const log = new RoomLog(newEpoch(), 100);
    turn(log, 1, 60);
    turn(log, 1, 30);
    expect([log.first, log.size]).toEqual([1, 90]);
    turn(log, 1, 20);
    // 110 > 100: the oldest turn goes.
    expect([log.first, log.size]).toEqual([2, 50]);
    // A turn larger than the window stays, alone.
    turn(log, 4, 500);
    expect([log.first, log.size, log.end]).toEqual([4, 500, 8]);
    turn(log, 1, 10);
    expect([log.first, log.size]).toEqual([8, 10]);
  });

  test("find() answers the segment holding a position, across many trims", () => {
    const log = new RoomLog(newEpoch(), 100);
    // Thousands of turns: the segments array is compacted along the way.
    for (let i = 0; i < 3000; i++) turn(log, 1 + (i % 3), 10);
    const end = log.end;
    expect(log.size).toBeLessThanOrEqual(100);
    for (let seq = log.first; seq < end; seq++) {
      const s = log.find(seq) as Segment;
      expect(s).toBeDefined();
      expect(seq).toBeGreaterThanOrEqual(s.first);
      expect(seq).toBeLessThan(s.first + s.count);
    }
    expect(log.find(log.first - 1)).toBeUndefined();
    expect(log.find(1)).toBeUndefined();
    expect(log.find(end)).toBeUndefined();
  });

  test("an epoch is 16 hex digits, and each log gets its own", () => {
    const epochs = new Set(Array.from({ length: 100 }, () => newEpoch()));
    expect(epochs.size).toBe(100);
    for (const epoch of epochs) expect(epoch).toMatch(/^[0-9a-f]{16}$/);
  });
});

/** A turn whose lines are known by `wire` (shared positions in epoch "e1", or OWN/NO_POSITION). */
function sharedTurn(log: RoomLog, wire: number[], size = 10, epoch = "e1"): number[] {
  const taken = wire.map(() => log.take());
  const seqs = Float64Array.from(wire);
  const shared = wire.filter((w) => w > 0);
  log.append({
    ...segment(taken[0] as number, wire.length, size),
    wire: {
      epoch,
      seqs,
      lo: shared.length > 0 ? Math.min(...shared) : 0,
      hi: Math.max(0, ...shared),
    },
  });
  return taken;
}

describe("positions a reader knows lines by (a room over several servers)", () => {
  test("locate: the line after the shared position shown, wherever the local numbering is", () => {
    const log = new RoomLog("aa", 1000, 500);
    sharedTurn(log, [41, 42]);
    const [, mine] = sharedTurn(log, [NO_POSITION, 43, 44]) as number[];
    sharedTurn(log, [OWN_POSITION, 45]);
    // Seen up to 43 (in this log at `mine`): reads on after it.
    expect(log.locate({ epoch: "e1", seq: 43 })).toEqual({ from: (mine as number) + 1, missed: 0 });
    // Ahead of what is here: from the end (its client drops what it showed already).
    expect(log.locate({ epoch: "e1", seq: 99 })).toEqual({ from: log.end, missed: 0 });
    // Older than what is kept: from the oldest line, with how many are gone.
    expect(log.locate({ epoch: "e1", seq: 30 })).toEqual({ from: log.first, missed: 10 });
    // Another epoch: nothing here places it.
    expect(log.locate({ epoch: "e0", seq: 43 })).toEqual({ from: log.first, missed: null });
    // This log's own positions still mean themselves.
    expect(log.locate({ epoch: "aa", seq: 500 })).toEqual({ from: 501, missed: 0 });
  });

  test("positionOf: a line's shared position, its own, or the nearest before that has one", () => {
    const log = new RoomLog("aa", 1000, 1);
    const [a, b] = sharedTurn(log, [7, NO_POSITION]) as number[];
    const [c] = sharedTurn(log, [OWN_POSITION]) as number[];
    expect(log.positionOf(a as number)).toEqual({ epoch: "e1", seq: 7 });
    expect(log.positionOf(b as number)).toEqual({ epoch: "e1", seq: 7 });
    expect(log.positionOf(c as number)).toEqual({ epoch: "aa", seq: c as number });
    expect(log.positionOf(0)).toEqual({ epoch: "aa", seq: 0 });
  });
});
