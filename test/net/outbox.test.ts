import { describe, expect, test } from "bun:test";
import { Outbox, Sent, type Sink } from "../../src/net/outbox.ts";

/** A socket that takes at most `room` bytes per write and records them. */
class FakeSocket implements Sink {
  received: number[] = [];
  writes = 0;
  constructor(public room: number) {}
  write(data: Uint8Array): number {
    this.writes++;
    const n = Math.min(this.room, data.length);
    this.received.push(...data.subarray(0, n));
    this.room -= n;
    return n;
  }
}

const seq = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) % 256);

describe("Outbox", () => {
  test("writes straight through while the socket takes everything", () => {
    const s = new FakeSocket(1000);
    const o = new Outbox(s, 100);
    expect(o.send(seq(0, 10))).toBe(Sent.Written);
    expect(o.empty).toBe(true);
    expect(s.received).toEqual([...seq(0, 10)]);
  });

  test("keeps what a short write left, queues later sends behind it, never reorders", () => {
    const s = new FakeSocket(4);
    const o = new Outbox(s, 1000);
    expect(o.send(seq(0, 10))).toBe(Sent.Queued);
    expect(o.send(seq(10, 10))).toBe(Sent.Queued);
    expect(s.writes).toBe(1); // nothing written while a backlog exists
    expect(o.queued).toBe(16);
    s.room = 5;
    expect(o.flush()).toBe(false);
    s.room = 100;
    expect(o.flush()).toBe(true);
    expect(s.received).toEqual([...seq(0, 20)]);
    expect(o.empty).toBe(true);
  });

  test("flushes a multi-chunk backlog in one write", () => {
    const s = new FakeSocket(0);
    const o = new Outbox(s, 1000);
    for (let i = 0; i < 5; i++) o.send(seq(i * 3, 3));
    s.room = 100;
    const before = s.writes;
    expect(o.flush()).toBe(true);
    expect(s.writes - before).toBe(1);
    expect(s.received).toEqual([...seq(0, 15)]);
  });

  test("reports overflow once the backlog passes the cap", () => {
    const o = new Outbox(new FakeSocket(0), 25);
    expect(o.send(seq(0, 20))).toBe(Sent.Queued);
    expect(o.send(seq(0, 5))).toBe(Sent.Queued);
    expect(o.send(seq(0, 1))).toBe(Sent.Overflow);
    o.clear();
    expect(o.queued).toBe(0);
  });

  test("a closed socket (-1) drops the bytes instead of queueing them", () => {
    const o = new Outbox({ write: () => -1 }, 10);
    expect(o.send(seq(0, 100))).toBe(Sent.Written);
    expect(o.empty).toBe(true);
  });
});
