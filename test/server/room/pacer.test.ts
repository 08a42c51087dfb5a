import { describe, expect, test } from "bun:test";
import { type Clock, Pacer } from "../../../src/server/room/pacer.ts";

class Reader {
  constructor(
    readonly id: string,
    public backlog = 0,
  ) {}
}

/** A clock the test moves by hand, with the timers it set. */
function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  let timers: Array<{ at: number; run: () => void }> = [];
  return {
    now: () => now,
    after(ms, run) {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
    advance(ms) {
      now += ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= now);
        if (due.length === 0) break;
        timers = timers.filter((t) => t.at > now);
        for (const t of due) t.run();
      }
    },
  };
}

/** Readers the pacer evicted, in order (reset by each setup). */
let evicted: Reader[] = [];

function setup(count: number) {
  const readers = Array.from({ length: count }, (_, i) => new Reader(`r${i}`));
  const paused = new Set<Reader>();
  evicted = [];
  const clock = fakeClock();
  const pacer = new Pacer<Reader>(
    { low: 100, high: 1000, cap: 2000 },
    {
      pause: (r) => paused.add(r),
      resume: (r) => paused.delete(r),
      evict: (slow) => evicted.push(...slow),
      members: () => readers.length,
    },
    clock,
    { stallMs: 2000, freeStopMs: 100, refill: 1 / 10 },
  );
  return { readers, paused, clock, pacer };
}

describe("Pacer", () => {
  test("a sender whose only reader falls behind is paused until the reader catches up", () => {
    const { readers, paused, pacer } = setup(2);
    const [talker, reader] = readers as [Reader, Reader];
    reader.backlog = 500;
    pacer.turn([reader], [talker]);
    expect(paused.has(talker)).toBe(true);
    reader.backlog = 150;
    pacer.drained(reader);
    expect(paused.has(talker)).toBe(true); // still over the low-water mark
    reader.backlog = 50;
    pacer.drained(reader);
    expect(paused.has(talker)).toBe(false);
  });

  test("a backlog under the low-water mark paces nobody", () => {
    const { readers, paused, pacer } = setup(2);
    const [talker, reader] = readers as [Reader, Reader];
    reader.backlog = 100;
    pacer.turn([reader], [talker]);
    expect(paused.size).toBe(0);
  });

  test("one reader behind among several does not set the pace", () => {
    const { readers, paused, pacer } = setup(4);
    const [talker, slow, b] = readers as [Reader, Reader, Reader, Reader];
    slow.backlog = 500;
    pacer.turn([slow], [talker]);
    expect(paused.size).toBe(0);
    // Most of the room behind: now the sender waits.
    b.backlog = 500;
    pacer.turn([b], [talker]);
    expect(paused.has(talker)).toBe(true);
  });

  test("a reader near its cap holds the room while it reads, however slowly", () => {
    const { readers, paused, clock, pacer } = setup(4);
    const [talker, slow] = readers as [Reader, Reader, Reader, Reader];
    slow.backlog = 1500;
    pacer.turn([slow], [talker]);
    expect(paused.has(talker)).toBe(true);
    // Takes a little every 50 ms for ten seconds, still near its cap: the room waits.
    for (let i = 0; i < 200; i++) {
      clock.advance(50);
      slow.backlog -= 1;
      pacer.drained(slow);
    }
    expect(paused.has(talker)).toBe(true);
    slow.backlog = 900; // under the high-water mark, still behind: a minority again
    pacer.drained(slow);
    expect(paused.size).toBe(0);
    expect(evicted).toEqual([]);
  });

  test("a reader that takes bytes while turns add more is reading, not stalled", () => {
    const { readers, paused, clock, pacer } = setup(10);
    const [talker, reader] = readers as [Reader, Reader];
    reader.backlog = 300;
    pacer.turn([reader], [talker]);
    // For five seconds each turn adds 20 and the reader takes 10: always behind, always reading.
    for (let i = 0; i < 100; i++) {
      clock.advance(50);
      reader.backlog += 20;
      pacer.turn([reader], [talker]);
      reader.backlog -= 10;
      pacer.drained(reader);
    }
    expect(reader.backlog).toBe(1300);
    // Near its cap it holds the room: it still counts.
    expect(paused.has(talker)).toBe(true);
    expect(evicted).toEqual([]);
  });

  test("a reader that stops for up to stallMs holds the room and is not evicted", () => {
    const { readers, paused, clock, pacer } = setup(4);
    const [talker, sleeper] = readers as [Reader, Reader, Reader, Reader];
    sleeper.backlog = 1500;
    pacer.turn([sleeper], [talker]);
    clock.advance(1999);
    expect(paused.has(talker)).toBe(true);
    sleeper.backlog = 50; // reading again: catches up
    pacer.drained(sleeper);
    expect(paused.size).toBe(0);
    expect(evicted).toEqual([]);
  });

  test("a reader quiet past stallMs stops holding the room, and is evicted past its cap", () => {
    const { readers, paused, clock, pacer } = setup(2);
    const [talker, stalled] = readers as [Reader, Reader];
    stalled.backlog = 1500;
    pacer.turn([stalled], [talker]);
    expect(paused.has(talker)).toBe(true);
    clock.advance(1999);
    expect(paused.has(talker)).toBe(true);
    clock.advance(1);
    expect(paused.has(talker)).toBe(false);
    expect(evicted).toEqual([]); // under its cap: still in the room
    // Still stalled: it paces no more turns, and past the cap it goes.
    stalled.backlog = 1900;
    pacer.turn([stalled], [talker]);
    expect(paused.size).toBe(0);
    expect(evicted).toEqual([]);
    stalled.backlog = 2100;
    pacer.turn([stalled], [talker]);
    expect(evicted).toEqual([stalled]);
  });

  test("a reader already past its cap when it stalls is evicted then", () => {
    const { readers, clock, pacer } = setup(2);
    const [talker, stalled] = readers as [Reader, Reader];
    stalled.backlog = 2500; // pushed past the cap by lines pacing does not hold back
    pacer.turn([stalled], [talker]);
    expect(evicted).toEqual([]);
    clock.advance(2000);
    expect(evicted).toEqual([stalled]);
  });

  test("grace is a budget: a reader that stops again and again holds the room less each time", () => {
    const { readers, paused, clock, pacer } = setup(2);
    const [talker, reader] = readers as [Reader, Reader];
    // Stops for 1.5 s, then catches up: 0.5 s of grace left.
    reader.backlog = 1500;
    pacer.turn([reader], [talker]);
    clock.advance(1500);
    reader.backlog = 0;
    pacer.drained(reader);
    expect(paused.size).toBe(0);
    // Stops again at once: waited for about 0.5 s only.
    reader.backlog = 1500;
    pacer.turn([reader], [talker]);
    expect(paused.has(talker)).toBe(true);
    clock.advance(499);
    expect(paused.has(talker)).toBe(true);
    clock.advance(2);
    expect(paused.size).toBe(0);
    // Stalled: it catches up, then rests for 20 s and has its whole grace again.
    reader.backlog = 0;
    pacer.drained(reader);
    clock.advance(20_000);
    reader.backlog = 1500;
    pacer.turn([reader], [talker]);
    clock.advance(1999);
    expect(paused.has(talker)).toBe(true);
  });

  test("short stops cost nothing: a busy reader keeps its whole grace", () => {
    const { readers, paused, clock, pacer } = setup(2);
    const [talker, reader] = readers as [Reader, Reader];
    reader.backlog = 1500;
    pacer.turn([reader], [talker]);
    for (let i = 0; i < 100; i++) {
      clock.advance(90);
      reader.backlog -= 1;
      pacer.drained(reader);
    }
    clock.advance(1999);
    expect(paused.has(talker)).toBe(true);
    clock.advance(1);
    expect(paused.size).toBe(0);
  });

  test("a stalled reader that catches up counts again", () => {
    const { readers, paused, clock, pacer } = setup(2);
    const [talker, reader] = readers as [Reader, Reader];
    reader.backlog = 1500;
    pacer.turn([reader], [talker]);
    clock.advance(2000);
    reader.backlog = 0;
    pacer.drained(reader);
    reader.backlog = 500;
    pacer.turn([reader], [talker]);
    expect(paused.has(talker)).toBe(true);
  });

  test("a reader that leaves releases the senders it held", () => {
    const { readers, paused, pacer } = setup(2);
    const [talker, reader] = readers as [Reader, Reader];
    reader.backlog = 500;
    pacer.turn([reader], [talker]);
    readers.pop();
    pacer.forget(reader);
    expect(paused.size).toBe(0);
  });

  test("a paused sender that leaves is forgotten, never resumed", () => {
    const { readers, paused, pacer } = setup(2);
    const [talker, reader] = readers as [Reader, Reader];
    reader.backlog = 500;
    pacer.turn([reader], [talker]);
    pacer.forget(talker);
    paused.clear();
    reader.backlog = 0;
    pacer.drained(reader);
    expect(paused.size).toBe(0);
    expect(pacer.pausedCount).toBe(0);
  });

  test("while the room is pressed, a member about to send waits too, and resumes with the rest", () => {
    const { readers, paused, pacer } = setup(3);
    const [talker, reader, late] = readers as [Reader, Reader, Reader];
    expect(pacer.hold(late)).toBe(false);
    reader.backlog = 500;
    late.backlog = 500;
    pacer.turn([reader, late], [talker]);
    expect(paused.has(talker)).toBe(true);
    // Did not send in that turn, but would add another turn to readers behind.
    expect(pacer.hold(reader)).toBe(true);
    expect(paused.has(reader)).toBe(true);
    reader.backlog = 0;
    late.backlog = 0;
    pacer.drained(reader);
    pacer.drained(late);
    expect(paused.size).toBe(0);
    expect(pacer.hold(reader)).toBe(false);
  });
});
