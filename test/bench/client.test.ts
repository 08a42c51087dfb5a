import { describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { received, SimClient, Tally } from "../../bench/loadgen/client.ts";

/** A socket that takes at most `room` bytes per write, and records what it took. */
function fakeSocket(room: number) {
  const fake = {
    room,
    taken: [] as number[],
    write(data: Uint8Array, byteOffset = 0, byteLength = data.length - byteOffset): number {
      const n = Math.min(fake.room, byteLength);
      fake.taken.push(...data.subarray(byteOffset, byteOffset + n));
      return n;
    },
  };
  return fake;
}

function client(room: number) {
  const tally = new Tally();
  const c = new SimClient("a", tally, false);
  const socket = fakeSocket(room);
  c.opened(socket as unknown as Socket<SimClient>);
  return { c, tally, socket };
}

const bytes = (...values: number[]) => new Uint8Array(values);

describe("SimClient writes", () => {
  test("the tally counts what the kernel has not taken, in order, until drain empties it", () => {
    const { c, tally, socket } = client(2);
    c.write(bytes(1, 2, 3));
    c.write(bytes(4, 5));
    expect(tally.unsent).toBe(3);
    let flushed = 0;
    tally.onFlushed = () => flushed++;
    c.flush();
    expect(tally.unsent).toBe(1);
    expect(flushed).toBe(0);
    socket.room = 100;
    c.flush();
    expect(tally.unsent).toBe(0);
    expect(flushed).toBe(1);
    expect(socket.taken).toEqual([1, 2, 3, 4, 5]);
  });

  test("whoever waits for the backlog to fall to a low-water mark is told once it has", () => {
    const { c, tally, socket } = client(0);
    c.write(bytes(1, 2, 3, 4, 5, 6));
    let low = 0;
    tally.lowWater = 2;
    tally.onLow = () => low++;
    socket.room = 3;
    c.flush();
    expect(tally.unsent).toBe(3);
    expect(low).toBe(0);
    socket.room = 1;
    c.flush();
    expect(tally.unsent).toBe(2);
    expect(low).toBe(1);
  });

  test("a write the kernel takes whole leaves nothing unsent", () => {
    const { c, tally } = client(100);
    c.write(bytes(1, 2, 3));
    expect(tally.unsent).toBe(0);
  });

  test("a closed socket's backlog stops counting", () => {
    const { c, tally } = client(1);
    c.write(bytes(1, 2, 3));
    c.dropBacklog();
    expect(tally.unsent).toBe(0);
  });
});

describe("SimClient reads", () => {
  const text = (s: string) => new TextEncoder().encode(s);

  test("a client keeps when it last got a chat line; notices do not count", () => {
    const { c, tally } = client(100);
    received(c, text("* hello a\n"));
    expect(c.joined).toBe(true);
    received(c, text("* bob joined\n"));
    expect(c.lastUs).toBe(0);
    received(c, text("<bob> hi\n<bob> again\n"));
    expect(c.lines).toBe(2);
    expect(c.lastUs).toBeGreaterThan(0);
    expect(c.lastUs).toBe(tally.lastUs);
  });
});
