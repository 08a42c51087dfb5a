import { describe, expect, test } from "bun:test";
import { type Sink, WriteQueue } from "../../src/client/core/writer.ts";

/** A socket that takes at most `room` bytes per write, or -1 when closed. */
class FakeSocket implements Sink {
  taken: number[] = [];
  constructor(public room: number) {}
  write(data: Uint8Array, offset: number, length: number): number {
    if (this.room < 0) return -1;
    const n = Math.min(this.room, length);
    this.taken.push(...data.subarray(offset, offset + n));
    this.room -= n;
    return n;
  }
}

const bytes = (...values: number[]) => new Uint8Array(values);

describe("WriteQueue", () => {
  test("writes straight through while the socket takes everything", async () => {
    const socket = new FakeSocket(100);
    const queue = new WriteQueue(socket);
    queue.send(bytes(1, 2, 3));
    expect(socket.taken).toEqual([1, 2, 3]);
    expect(queue.backlog).toBe(0);
    await queue.drained();
  });

  test("keeps what the socket did not take, in order, and flushes it on drain", () => {
    const socket = new FakeSocket(2);
    const queue = new WriteQueue(socket);
    queue.send(bytes(1, 2, 3, 4));
    queue.send(bytes(5, 6));
    expect(socket.taken).toEqual([1, 2]);
    expect(queue.backlog).toBe(4);
    socket.room = 3;
    queue.flush();
    expect(socket.taken).toEqual([1, 2, 3, 4, 5]);
    expect(queue.backlog).toBe(1);
    socket.room = 10;
    queue.flush();
    expect(socket.taken).toEqual([1, 2, 3, 4, 5, 6]);
    expect(queue.backlog).toBe(0);
  });

  test("a socket that takes nothing keeps everything queued", () => {
    const socket = new FakeSocket(0);
    const queue = new WriteQueue(socket);
    queue.send(bytes(7, 8));
    expect(queue.backlog).toBe(2);
  });

  test("drained() waits for the backlog", async () => {
    const socket = new FakeSocket(1);
    const queue = new WriteQueue(socket);
    queue.send(bytes(1, 2, 3));
    let done = false;
    const waiting = queue.drained().then(() => {
      done = true;
    });
    // A turn of the event loop: a resolved drained() would have run by then.
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    socket.room = 10;
    queue.flush();
    await waiting;
    expect(done).toBe(true);
  });

  test("a closed socket or clear() releases waiters", async () => {
    const socket = new FakeSocket(0);
    const queue = new WriteQueue(socket);
    queue.send(bytes(1));
    const waiting = queue.drained();
    queue.dropBacklog();
    await waiting;
    expect(queue.backlog).toBe(0);
    socket.room = -1;
    queue.send(bytes(2));
    expect(queue.backlog).toBe(0);
  });

  test("empty writes are ignored", () => {
    const socket = new FakeSocket(0);
    const queue = new WriteQueue(socket);
    queue.send(new Uint8Array(0));
    expect(queue.backlog).toBe(0);
  });
});
