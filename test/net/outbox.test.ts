import { describe, expect, test } from "bun:test";
import { Outbox, Sent, type Sink } from "../../src/net/outbox.ts";

/** A socket that takes at most `room` bytes per write and records them. */
class FakeSocket implements Sink {
  received: number[] = [];
  writes = 0;
  /** The buffer each write was handed, to see whether the outbox concatenated. */
  buffers: ArrayBufferLike[] = [];
  constructor(public room: number) {}
  write(data: Uint8Array, offset: number, length: number): number {
    this.writes++;
    this.buffers.push(data.buffer);
    const n = Math.min(this.room, length);
    this.received.push(...data.subarray(offset, offset + n));
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
    expect(o.backlog).toBe(0);
    expect(s.received).toEqual([...seq(0, 10)]);
  });

  test("keeps what a short write left, queues later sends behind it, never reorders", () => {
    const s = new FakeSocket(4);
    const o = new Outbox(s, 1000);
    expect(o.send(seq(0, 10))).toBe(Sent.Queued);
    expect(o.send(seq(10, 10))).toBe(Sent.Queued);
    expect(s.writes).toBe(1); // nothing written while a backlog exists
    expect(o.backlog).toBe(16);
    s.room = 5;
    expect(o.flush()).toBe(false);
    s.room = 100;
    expect(o.flush()).toBe(true);
    expect(s.received).toEqual([...seq(0, 20)]);
    expect(o.backlog).toBe(0);
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
    o.dropBacklog();
    expect(o.backlog).toBe(0);
  });

  test("a closed socket (-1) drops the bytes instead of queueing them", () => {
    const o = new Outbox({ write: () => -1 }, 10);
    expect(o.send(seq(0, 100))).toBe(Sent.Written);
    expect(o.backlog).toBe(0);
  });

  test("keeps its own copy of what the kernel did not take: the caller may reuse its buffer", () => {
    const s = new FakeSocket(3);
    const o = new Outbox(s, 1000);
    const shared = seq(0, 10);
    o.send(shared);
    shared.fill(99); // the fan-out reuses its arena every turn
    s.room = 100;
    o.flush();
    expect(s.received).toEqual([...seq(0, 10)]);
  });

  test("a steady backlog is drained from one buffer, never concatenated per drain", () => {
    const s = new FakeSocket(0);
    const o = new Outbox(s, 1 << 20);
    o.send(seq(0, 5000));
    const expected = [...seq(0, 5000)];
    for (let i = 1; i <= 50; i++) {
      s.room = 1000;
      o.flush();
      o.send(seq(i, 1000));
      expected.push(...seq(i, 1000));
    }
    s.room = 1 << 20;
    o.flush();
    expect(s.received).toEqual(expected);
    // Drains write from the backlog's own buffer (it grew once): no copy of the
    // whole backlog per drain, which made a steady backlog quadratic.
    expect(new Set(s.buffers.slice(1)).size).toBeLessThanOrEqual(2);
  });

  test("a capped backlog holds about its cap, not more", () => {
    const s = new FakeSocket(0);
    const cap = 64 * 1024;
    const o = new Outbox(s, cap);
    let sent: Sent = Sent.Queued;
    while (sent !== Sent.Overflow) sent = o.send(seq(0, 1500));
    expect(o.backlog).toBeLessThanOrEqual(cap + 1500);
    s.room = 1 << 20;
    o.flush();
    expect(s.buffers.at(-1)?.byteLength ?? 0).toBeLessThanOrEqual(cap + 1500);
  });
});
