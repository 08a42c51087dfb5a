/**
 * The fan-out through the room's log, on fake members whose sockets take
 * as many bytes as the test says (a full kernel buffer takes fewer, or
 * none). Time and the read-timeout sweep are the test's: LogFanout takes
 * its clocks and its timer as parameters.
 */

import { describe, expect, test } from "bun:test";
import type { Lang } from "../../../src/protocol/lang.ts";
import { action, chat, SERVER_TEXT, say } from "../../../src/protocol/messages.ts";
import { formatPosition, parseTagged } from "../../../src/protocol/tags.ts";
import { DIALECTS, type Line, type Spoken } from "../../../src/server/room/dialects.ts";
import { FANOUT, type FanoutLimits, LogFanout } from "../../../src/server/room/fanout.ts";
import { newEpoch, RoomLog } from "../../../src/server/room/log.ts";
import { FakeMember } from "../../support/fakes.ts";

const en = SERVER_TEXT.en;
const pt = SERVER_TEXT.pt;
const encoder = new TextEncoder();

const spoken = (name: string, text: string): Spoken => ({
  kind: "chat",
  from: name,
  text: chat(name, text),
});

interface Options extends Partial<FanoutLimits> {
  windowBytes?: number;
}

function setup(options: Options = {}) {
  const log = new RoomLog(newEpoch(), options.windowBytes ?? 1 << 20);
  const members = new Set<FakeMember>();
  const readers: number[] = new Array(DIALECTS).fill(0);
  const stalled: FakeMember[][] = [];
  const relieved: FakeMember[] = [];
  const failed: Array<[FakeMember, unknown]> = [];
  const missed: Array<[FakeMember, number]> = [];
  let pending: (() => void) | null = null;
  /** One-shot timers the fan-out armed (the greetings'), due at `at` of time.now. */
  const timers: Array<{ at: number; run: () => void }> = [];
  /** performance.now() as the fan-out reads it, and the wall clock that stamps lines. */
  const time = { now: 0, wall: Date.UTC(2026, 11, 6, 11, 50, 0, 123) };
  const sweep = { run: null as (() => void) | null, ms: 0, starts: 0, stops: 0 };
  const fanout = new LogFanout<FakeMember>(
    log,
    () => members,
    readers,
    {
      turnBytes: options.turnBytes ?? Number.POSITIVE_INFINITY,
      queueBytes: options.queueBytes ?? 1 << 20,
      behindTimeoutMs: options.behindTimeoutMs ?? 0,
    },
    {
      failed: (m, error) => failed.push([m, error]),
      stalled: (ms) => stalled.push([...ms]),
      relieved: (m) => relieved.push(m),
      missed: (m, count) => {
        missed.push([m, count]);
        return SERVER_TEXT[m.lang].missedLines(count);
      },
    },
    (run) => {
      pending = run;
    },
    () => time.wall,
    () => time.now,
    (ms, run) => {
      sweep.run = run;
      sweep.ms = ms;
      sweep.starts++;
      return () => {
        sweep.run = null;
        sweep.stops++;
      };
    },
    (ms, run) => {
      const timer = { at: time.now + ms, run };
      timers.push(timer);
      return () => {
        timers.splice(timers.indexOf(timer), 1);
      };
    },
  );
  /** Move performance.now() on by `ms`, running the one-shot timers that fall due. */
  const advance = (ms: number) => {
    time.now += ms;
    for (;;) {
      const due = timers.find((t) => t.at <= time.now);
      if (due === undefined) return;
      timers.splice(timers.indexOf(due), 1);
      due.run();
    }
  };
  let ids = 0;
  /** A member joins the room (at the log's end), reading `lang`, v1 or v2. */
  const add = (name: string, lang: Lang = "en", v2 = false) => {
    const m = new FakeMember(`10.0.0.${++ids}`, lang, v2);
    m.name = name;
    members.add(m);
    readers[m.dialect] = (readers[m.dialect] ?? 0) + 1;
    fanout.admit(m, ids);
    return m;
  };
  /** A member leaves the room as the Room does it. */
  const leave = (m: FakeMember) => {
    fanout.leave(m);
    members.delete(m);
    readers[m.dialect] = (readers[m.dialect] ?? 1) - 1;
  };
  /** The end of the event-loop turn: the scheduled delivery runs. */
  const endTurn = () => {
    const run = pending;
    pending = null;
    run?.();
  };
  /** Its socket drained and takes everything again (unless told otherwise). */
  const drain = (m: FakeMember, takeAll = true) => {
    if (takeAll) m.conn.takeAll();
    return fanout.drained(m);
  };
  return {
    log,
    fanout,
    members,
    readers,
    add,
    leave,
    endTurn,
    drain,
    time,
    advance,
    timers,
    sweep,
    stalled,
    relieved,
    failed,
    missed,
    scheduled: () => pending !== null,
  };
}

/** What one turn of `line` alone costs the window, as the log counts it: one member reading it, v1 English. */
/**
 * `count` chat lines of a's, "01", "02" and on (each as long as the others),
 * and a window with room for three of their one-line turns.
 */
function threeTurnsOf(count: number): { lines: string[]; windowBytes: number } {
  const lines = Array.from({ length: count }, (_, i) => chat("a", String(i + 1).padStart(2, "0")));
  const cost = turnCost({ kind: "chat", from: "a", text: lines[0] as string });
  return { lines, windowBytes: 3 * cost + Math.floor(cost / 2) };
}

function turnCost(line: Line): number {
  const { fanout, log, add, endTurn } = setup();
  add("probe");
  fanout.toAll(line);
  endTurn();
  return log.size;
}

describe("a greeting", () => {
  /** A connection at the door: greeted, not in the room. */
  const door = () => new FakeMember("10.0.9.1", "en", false);
  const hello = (text: string) => encoder.encode(`${text}\n`);

  test("waits for the connection's first line: the greeting and the answer go in one write", () => {
    const { fanout, endTurn, advance, timers } = setup();
    const c = door();
    fanout.first(c, hello("* what is your name?"));
    expect(c.conn.offered).toEqual([]);
    expect(timers).toHaveLength(1);
    advance(FANOUT.greetMs / 2);
    // Its name came: the answer joins the greeting in its queue, and the turn writes both.
    fanout.toOne(c, "* hello ana!");
    endTurn();
    expect(c.conn.writeCount).toBe(1);
    expect(c.read()).toEqual(["* what is your name?", "* hello ana!"]);
    // When its time is up there is nothing left to write.
    advance(FANOUT.greetMs);
    expect(c.conn.writeCount).toBe(1);
    expect(timers).toHaveLength(0);
  });

  test("goes out alone once it waited greetMs; a later one waits its own full time", () => {
    const { fanout, advance, timers } = setup();
    const [a, b] = [door(), door()];
    fanout.first(a, hello("* greeting a"));
    advance(FANOUT.greetMs - 10);
    fanout.first(b, hello("* greeting b"));
    advance(10);
    expect(a.read()).toEqual(["* greeting a"]);
    expect(b.conn.offered).toEqual([]);
    // The timer runs again for b alone.
    expect(timers).toHaveLength(1);
    advance(FANOUT.greetMs - 11);
    expect(b.conn.offered).toEqual([]);
    advance(1);
    expect(b.read()).toEqual(["* greeting b"]);
    expect(timers).toHaveLength(0);
  });

  test("a connection that closed while its greeting waited gets nothing written", () => {
    const { fanout, advance } = setup();
    const c = door();
    fanout.first(c, hello("* greeting"));
    fanout.forget(c);
    advance(FANOUT.greetMs);
    expect(c.conn.offered).toEqual([]);
  });

  test("flushAll lets out every greeting waiting, at once; close() stops the timer", () => {
    const { fanout, timers } = setup();
    const [a, b] = [door(), door()];
    fanout.first(a, hello("* greeting a"));
    fanout.flushAll();
    expect(a.read()).toEqual(["* greeting a"]);
    expect(timers).toHaveLength(0);
    fanout.first(b, hello("* greeting b"));
    expect(timers).toHaveLength(1);
    fanout.close();
    expect(timers).toHaveLength(0);
  });
});

describe("a member that keeps up", () => {
  test("nothing is written until the turn ends, then the turn in one write", () => {
    const { fanout, add, endTurn, scheduled } = setup();
    const [a, b] = [add("a"), add("b")];
    fanout.toAll("* one");
    fanout.toAll("* two");
    expect(a.conn.offered).toEqual([]);
    expect(scheduled()).toBe(true);
    endTurn();
    for (const m of [a, b]) {
      expect(m.conn.writeCount).toBe(1);
      expect(m.read()).toEqual(["* one", "* two"]);
    }
  });

  test("each turn is one write of the very same bytes object for everyone", () => {
    const { fanout, add, endTurn } = setup();
    const [a, b, c] = [add("a"), add("b"), add("c")];
    for (const n of [1, 2, 3]) {
      fanout.toAll(`* turn ${n}`);
      fanout.toAll(`* turn ${n} again`);
      endTurn();
      const shared = a.conn.buffers[n - 1] as Uint8Array;
      for (const m of [a, b, c]) {
        expect(m.conn.buffers).toHaveLength(n);
        expect(m.conn.buffers[n - 1]).toBe(shared);
        expect(m.conn.offered[n - 1]).toBe(shared.length);
      }
    }
    expect(c.read()).toEqual(["1", "2", "3"].flatMap((n) => [`* turn ${n}`, `* turn ${n} again`]));
  });

  test("a sender gets everything but its own lines, in order; the others share one buffer", () => {
    const { fanout, add, endTurn } = setup();
    const [a, b, c] = [add("a"), add("b"), add("c")];
    fanout.toAll(spoken("a", "1"), a);
    fanout.toAll(spoken("b", "2"), b);
    fanout.toAll(spoken("a", "3"), a);
    fanout.toAll("* notice");
    endTurn();
    expect(a.read()).toEqual([chat("b", "2"), "* notice"]);
    expect(b.read()).toEqual([chat("a", "1"), chat("a", "3"), "* notice"]);
    expect(c.read()).toEqual([chat("a", "1"), chat("b", "2"), chat("a", "3"), "* notice"]);
    // Two runs of b's lines gathered into one write.
    expect(b.conn.writeCount).toBe(1);
    // The next turn, a sender that said nothing more is back on the shared bytes.
    fanout.toAll("* next");
    endTurn();
    expect(a.conn.buffers.at(-1)).toBe(c.conn.buffers.at(-1) as Uint8Array);
    expect(b.conn.buffers.at(-1)).toBe(c.conn.buffers.at(-1) as Uint8Array);
  });

  test("direct lines keep their place among the room's lines", () => {
    const { fanout, add, endTurn } = setup();
    const [a, b] = [add("a"), add("b")];
    fanout.toAll(spoken("b", "first"), b);
    fanout.toOne(a, "* reply");
    fanout.toAll(spoken("b", "second"), b);
    fanout.toOne(a, "* last");
    endTurn();
    expect(a.read()).toEqual([chat("b", "first"), "* reply", chat("b", "second"), "* last"]);
    expect(b.read()).toEqual([]);
  });

  test("a turn of direct lines only writes to the members it concerns", () => {
    const { fanout, add, endTurn } = setup();
    const [a, b, c] = [add("a"), add("b"), add("c")];
    fanout.toOne(b, "* online (3): a, b, c");
    endTurn();
    expect(b.read()).toEqual(["* online (3): a, b, c"]);
    expect(a.conn.offered.length + c.conn.offered.length).toBe(0);
  });

  test("a connection not in the room gets its direct lines and none of the room's", () => {
    const { fanout, add, endTurn } = setup();
    const [a, b] = [add("a"), add("b")];
    const naming = new FakeMember("10.9.9.9");
    fanout.toAll(spoken("a", "hi"), a);
    fanout.toOne(naming, "! invalid name: name is empty");
    endTurn();
    expect(naming.read()).toEqual(["! invalid name: name is empty"]);
    expect(b.read()).toEqual([chat("a", "hi")]);
  });

  test("a member admitted mid-turn gets only what came after", () => {
    const { fanout, add, endTurn } = setup();
    const a = add("a");
    fanout.toAll("* before");
    const late = add("late");
    fanout.toOne(late, "* welcome");
    fanout.toAll("* after");
    endTurn();
    expect(late.read()).toEqual(["* welcome", "* after"]);
    expect(a.read()).toEqual(["* before", "* after"]);
  });

  test("full once a turn holds its budget, direct lines included", () => {
    const { fanout, add } = setup({ turnBytes: 100 });
    const a = add("a");
    add("b");
    fanout.toAll("x".repeat(60), a);
    expect(fanout.full).toBe(false);
    fanout.toOne(a, "y".repeat(60));
    expect(fanout.full).toBe(true);
    fanout.flush();
    expect(fanout.full).toBe(false);
  });

  test("large turns grow the arena without losing earlier lines", () => {
    const { fanout, add, endTurn } = setup();
    const a = add("a");
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${"é".repeat(i % 50)}`);
    for (const l of lines) fanout.toAll(l);
    endTurn();
    expect(a.read()).toEqual(lines);
    expect(a.conn.writeCount).toBe(1);
  });

  test("flush() delivers at once", () => {
    const { fanout, add } = setup();
    const a = add("a");
    fanout.toAll("now");
    fanout.flush();
    expect(a.read()).toEqual(["now"]);
  });
});

describe("a socket that takes part of a turn", () => {
  test("the rest of a cut line comes first, and no line is split or written twice", () => {
    const { fanout, add, endTurn, drain } = setup();
    const [a, b] = [add("a"), add("b")];
    b.conn.takeUpTo(7);
    fanout.toAll(spoken("a", "first line"), a);
    fanout.toAll(spoken("a", "second"), a);
    endTurn();
    expect(b.conn.text).toBe("<a> fir");
    // It keeps its position past the cut line, and the rest of that one line: nothing else.
    expect(b.next).toBe(2);
    expect(b.queue?.map((q) => new TextDecoder().decode(q.bytes.subarray(q.off)))).toEqual([
      "st line\n",
    ]);
    // Turns go on without it; it is written nothing until its socket drains.
    fanout.toAll(spoken("a", "third"), a);
    endTurn();
    expect(b.conn.offered).toHaveLength(1);
    // It drains a little: the rest of the cut line, part of it again.
    b.conn.takeUpTo(3);
    expect(drain(b, false)).toBe(false);
    expect(b.conn.text).toBe("<a> first ");
    expect(drain(b)).toBe(true);
    expect(b.read()).toEqual([chat("a", "first line"), chat("a", "second"), chat("a", "third")]);
    expect(b.queue).toBeNull();
    // Caught up: the next turn is one write of the shared bytes again.
    fanout.toAll("* again");
    endTurn();
    expect(b.read()).toEqual(["* again"]);
    expect(b.conn.buffers.at(-1)).toBe(a.conn.buffers.at(-1) as Uint8Array);
  });

  test("a cut exactly between two lines leaves nothing but a position", () => {
    const { fanout, add, endTurn, drain } = setup();
    const b = add("b");
    b.conn.takeUpTo(encoder.encode("* one\n").length);
    fanout.toAll("* one");
    fanout.toAll("* two");
    endTurn();
    expect(b.next).toBe(2);
    expect(b.queue).toBeNull();
    drain(b);
    expect(b.read()).toEqual(["* one", "* two"]);
  });

  test("a cut inside a character: the bytes still make the line once drained", () => {
    const { fanout, add, endTurn, drain } = setup();
    const b = add("b");
    b.conn.takeUpTo(4);
    fanout.toAll("* ação 🎉 já");
    endTurn();
    drain(b);
    expect(b.read()).toEqual(["* ação 🎉 já"]);
  });
});

/** A small seeded PRNG, so a failing run can be repeated. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whether `prefix` is where `whole` starts. */
function startsWith(whole: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > whole.length) return false;
  for (let i = 0; i < prefix.length; i++) if (whole[i] !== prefix[i]) return false;
  return true;
}

describe("whatever its socket takes, a member reads exactly its lines, in order", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    test(`random sockets, senders and direct lines (seed ${seed})`, () => {
      const random = prng(seed);
      const { fanout, add, endTurn, drain } = setup();
      const names = ["ana", "bob", "cid", "dan"];
      const ms = names.map((n) => add(n));
      const expected = new Map(ms.map((m) => [m, [] as string[]]));
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
      let n = 0;
      for (let step = 0; step < 600; step++) {
        const r = random();
        if (r < 0.45) {
          // Someone says a line (sometimes long, sometimes not ASCII), or the room a notice.
          const from = random() < 0.8 ? pick(ms) : undefined;
          const body = `${n++} ${random() < 0.2 ? "é🎉".repeat(20) : "x".repeat(Math.floor(random() * 30))}`;
          const line: Line = from ? spoken(from.name, body) : `* ${body}`;
          fanout.toAll(line, from);
          const text = from ? chat(from.name, body) : `* ${body}`;
          for (const m of ms) if (m !== from) expected.get(m)?.push(text);
        } else if (r < 0.6) {
          const to = pick(ms);
          const text = `* for ${to.name} ${n++}`;
          fanout.toOne(to, text);
          expected.get(to)?.push(text);
        } else if (r < 0.8) {
          endTurn();
        } else {
          // One socket's state changes, and it drains.
          const m = pick(ms);
          const how = random();
          if (how < 0.3) m.conn.takeNothing();
          else if (how < 0.8) m.conn.takeUpTo(Math.floor(random() * 60));
          else m.conn.takeAll();
          drain(m, false);
        }
        // Never more than, nor other than, the start of what it should read.
        for (const m of ms) {
          const want = encoder.encode((expected.get(m) ?? []).map((l) => `${l}\n`).join(""));
          expect(startsWith(want, m.conn.bytes)).toBe(true);
        }
      }
      endTurn();
      for (const m of ms) {
        drain(m);
        expect(m.read()).toEqual(expected.get(m) ?? []);
        expect(m.queue).toBeNull();
        expect(fanout.owes(m)).toBe(false);
      }
    });
  }
});

describe("a member behind", () => {
  test("catches up in order, its own lines left out and its direct lines in their place", () => {
    const { fanout, add, endTurn, drain } = setup();
    const [a, b, c] = [add("a"), add("b"), add("c")];
    b.conn.takeNothing();
    fanout.toAll(spoken("a", "1"), a);
    endTurn();
    fanout.toAll(spoken("b", "2"), b);
    fanout.toOne(b, "* reply to b");
    fanout.toAll(spoken("c", "3"), c);
    endTurn();
    fanout.toAll("* notice");
    fanout.toOne(b, "* private for b");
    endTurn();
    fanout.toAll(spoken("b", "4"), b);
    endTurn();
    expect(b.conn.text).toBe("");
    expect(drain(b)).toBe(true);
    expect(b.read()).toEqual([
      chat("a", "1"),
      "* reply to b",
      chat("c", "3"),
      "* notice",
      "* private for b",
    ]);
    expect(c.read()).toEqual([chat("a", "1"), chat("b", "2"), "* notice", chat("b", "4")]);
  });

  test("behind past the window: one line says how many it missed, then the oldest line kept", () => {
    const { lines, windowBytes } = threeTurnsOf(20);
    const { fanout, log, add, endTurn, drain, missed } = setup({ windowBytes });
    const [a, b] = [add("a"), add("b")];
    b.conn.takeNothing();
    for (const line of lines) {
      fanout.toAll({ kind: "chat", from: "a", text: line }, a);
      endTurn();
    }
    // A few lines kept, the older ones gone; b still at the first.
    const gone = log.first - 1;
    expect(gone).toBeGreaterThan(5);
    expect(gone).toBeLessThan(19);
    expect(b.next).toBe(1);
    expect(drain(b)).toBe(true);
    expect(b.read()).toEqual([en.missedLines(gone), ...lines.slice(gone)]);
    expect(missed).toEqual([[b, gone]]);
    // Then it goes on as anyone keeping up.
    fanout.toAll("* on");
    endTurn();
    expect(b.read()).toEqual(["* on"]);
  });

  test("a missed line its socket has not taken yet grows, rather than a second one following it", () => {
    const { lines, windowBytes } = threeTurnsOf(30);
    const { fanout, log, add, endTurn, drain, missed } = setup({ windowBytes });
    const [a, b] = [add("a"), add("b")];
    b.conn.takeNothing();
    const say = (from: number, to: number) => {
      for (const line of lines.slice(from, to)) {
        fanout.toAll({ kind: "chat", from: "a", text: line }, a);
        endTurn();
      }
    };
    say(0, 10);
    // A drain that takes nothing: the missed line is due, and waits.
    expect(drain(b, false)).toBe(false);
    const gone = log.first - 1;
    // The window moves past it again before its socket takes a byte.
    say(10, 30);
    expect(log.first - 1).toBeGreaterThan(gone);
    expect(drain(b)).toBe(true);
    expect(b.read()).toEqual([en.missedLines(log.first - 1), ...lines.slice(log.first - 1)]);
    expect(missed.map(([, count]) => count)).toEqual([gone, log.first - 1]);
  });

  test("the missed line comes after the rest of a cut line, and counts from after it", () => {
    // Room for four of its one-line turns ("* line 10" one byte longer than the rest).
    const { fanout, log, add, endTurn, drain } = setup({
      windowBytes: 4 * turnCost("* line 1") + 4,
    });
    const b = add("b");
    b.conn.takeUpTo(3);
    for (let i = 1; i <= 10; i++) {
      fanout.toAll(`* line ${i}`);
      endTurn();
    }
    const first = log.first;
    expect(first).toBeGreaterThan(3);
    expect(first).toBeLessThan(10);
    drain(b);
    // Line 1 was cut and finished; 2 .. first-1 are gone.
    expect(b.read()).toEqual([
      "* line 1",
      en.missedLines(first - 2),
      ...Array.from({ length: 11 - first }, (_, i) => `* line ${first + i}`),
    ]);
  });

  test("holds its position, not copies: its queue stays empty while the window turns over", () => {
    const windowBytes = 4096;
    const { fanout, log, add, endTurn, drain } = setup({ windowBytes });
    const [a, b] = [add("a"), add("b")];
    b.conn.takeUpTo(10);
    const line = "z".repeat(200);
    for (let i = 0; i < 500; i++) {
      fanout.toAll(spoken("a", `${i} ${line}`), a);
      fanout.toAll(spoken("a", `${i} again`), a);
      endTurn();
      // At most the rest of the one line that was cut.
      expect(b.queue?.length ?? 0).toBeLessThanOrEqual(1);
      expect(b.queuedBytes).toBeLessThan(220);
      expect(log.size).toBeLessThanOrEqual(windowBytes);
    }
    expect(b.conn.text).toHaveLength(10);
    drain(b);
    const got = b.read();
    expect(got[0]).toBe(chat("a", `0 ${line}`));
    // Line 1 was cut and finished; 2 .. first-1 are gone.
    expect(got[1]).toBe(en.missedLines(log.first - 2));
    expect(got.at(-1)).toBe(chat("a", "499 again"));
    expect(got.length).toBe(2 + (log.end - log.first));
  });

  test("a silent reader past the window: every line it reads is the next one, or says how many it skipped", () => {
    for (const seed of [11, 12, 13, 14]) {
      const random = prng(seed);
      const { fanout, add, endTurn, drain } = setup({ windowBytes: 200 });
      const a = add("a");
      const b = add("b");
      const said: string[] = [];
      for (let step = 0; step < 400; step++) {
        const r = random();
        if (r < 0.6) {
          const text = chat("a", `${said.length} ${"y".repeat(Math.floor(random() * 20))}`);
          said.push(text);
          fanout.toAll({ kind: "chat", from: "a", text }, a);
        } else if (r < 0.8) {
          endTurn();
        } else if (random() < 0.5) {
          b.conn.takeUpTo(Math.floor(random() * 80));
          drain(b, false);
        } else {
          b.conn.takeNothing();
        }
      }
      endTurn();
      drain(b);
      const missedRe = /^\* you missed (\d+) lines?$/;
      let at = 0;
      let gaps = 0;
      for (const got of b.read()) {
        const m = missedRe.exec(got);
        if (m !== null) {
          expect(Number(m[1])).toBeGreaterThan(0);
          at += Number(m[1]);
          gaps++;
          continue;
        }
        expect(got).toBe(said[at] as string);
        at++;
      }
      expect(at).toBe(said.length);
      expect(gaps).toBeGreaterThan(0);
    }
  });

  test("a turn kept in no rendering (nobody here read it) is skipped, not a failure", () => {
    const { fanout, log, add, endTurn, drain, failed, readers } = setup();
    const b = add("b");
    b.conn.takeNothing();
    fanout.toAll("* before");
    endTurn();
    // A turn while nobody on this server reads any dialect (b, behind, is not counted, as
    // if it came back to a position in it): the log keeps it with no rendering.
    const counts = [...readers];
    readers.fill(0);
    fanout.toAll("* unread");
    endTurn();
    readers.splice(0, readers.length, ...counts);
    fanout.toAll("* after");
    endTurn();
    expect(b.next).toBeLessThan(log.end);
    expect(drain(b)).toBe(true);
    expect(failed).toEqual([]);
    expect(b.read()).toEqual(["* before", "* after"]);
  });
});

describe("dialects", () => {
  test("v1 and v2, en and pt: each reads its own, and positions agree between them", () => {
    const { fanout, log, add, endTurn, time } = setup();
    const v1en = add("ana");
    const v1pt = add("bia", "pt");
    const v2en = add("cid", "en", true);
    const v2pt = add("dan", "pt", true);
    const first = log.next;
    fanout.toAll(spoken("ana", "oi"), v1en);
    fanout.toAll({ kind: "action", from: "ana", text: action("ana", "waves") }, v1en);
    fanout.toAll(say("joined", "eva"));
    fanout.toAll("* plain");
    endTurn();
    expect(v1en.read()).toEqual([en.joined("eva"), "* plain"]);
    expect(v1pt.read()).toEqual([
      chat("ana", "oi"),
      action("ana", "waves"),
      pt.joined("eva"),
      "* plain",
    ]);
    const iso = new Date(time.wall).toISOString();
    const pos = (i: number) => formatPosition(log.epoch, first + i);
    for (const [m, t] of [
      [v2en, en],
      [v2pt, pt],
    ] as const) {
      const lines = m.read().map(parseTagged);
      expect(lines).toEqual([
        { tags: { kind: "chat", pos: pos(0), time: iso, from: "ana" }, text: chat("ana", "oi") },
        {
          tags: { kind: "action", pos: pos(1), time: iso, from: "ana" },
          text: action("ana", "waves"),
        },
        {
          tags: { kind: "notice", pos: pos(2), time: iso, ev: "joined", args: '["eva"]' },
          text: t.joined("eva"),
        },
        { tags: { kind: "notice", pos: pos(3), time: iso }, text: "* plain" },
      ]);
    }
    // Each dialect is one shared write, per dialect.
    expect(v2en.conn.buffers[0]).not.toBe(v2pt.conn.buffers[0] as Uint8Array);
    expect(v1pt.conn.writeCount).toBe(1);
  });

  test("a member that switches dialect mid-turn reads the turn in its new one", () => {
    const { fanout, add, endTurn } = setup();
    const a = add("a");
    fanout.toAll(say("left", "zoe"));
    a.lang = "pt";
    fanout.setDialect(a, 2);
    endTurn();
    expect(a.read()).toEqual([pt.left("zoe")]);
  });

  test("the window counts every rendering a turn is kept in, not only the largest", () => {
    const one = setup();
    one.add("ana");
    one.fanout.toAll("* one");
    one.endTurn();
    const two = setup();
    two.add("ana");
    const cid = two.add("cid", "en", true);
    two.fanout.toAll("* one");
    two.endTurn();
    // The v2 rendering (what cid read) is counted on top of the v1 one, with its line ends.
    const v2Bytes = cid.conn.bytes.length;
    expect(v2Bytes).toBeGreaterThan(encoder.encode("* one\n").length);
    expect(two.log.size).toBeGreaterThanOrEqual(one.log.size + v2Bytes + 4);
  });
});

describe("the read-timeout sweep", () => {
  test("members behind that took nothing for the timeout are handed over; one that took a byte is not", () => {
    const { fanout, add, endTurn, drain, time, sweep, stalled } = setup({ behindTimeoutMs: 1000 });
    const [a, b, c] = [add("a"), add("b"), add("c")];
    fanout.toAll("* one");
    endTurn();
    // Nobody behind: no timer.
    expect(sweep.starts).toBe(0);
    b.conn.takeNothing();
    c.conn.takeNothing();
    fanout.toAll("* two");
    endTurn();
    expect(sweep.starts).toBe(1);
    expect(sweep.ms).toBe(FANOUT.sweepMs);
    time.now = 600;
    c.conn.takeUpTo(2);
    drain(c, false);
    time.now = 1001;
    sweep.run?.();
    expect(stalled).toEqual([[b]]);
    time.now = 1601;
    sweep.run?.();
    expect(stalled).toEqual([[b], [c]]);
    // Nobody left behind: the timer stops.
    sweep.run?.();
    expect(sweep.stops).toBe(1);
    expect(a.read()).toEqual(["* one", "* two"]);
  });

  test("no timeout: no timer, however far behind", () => {
    const { fanout, add, endTurn, sweep } = setup({ behindTimeoutMs: 0 });
    const b = add("b");
    b.conn.takeNothing();
    fanout.toAll("* one");
    endTurn();
    expect(sweep.starts).toBe(0);
  });

  test("a member that caught up on drain is not handed over later for being quiet", () => {
    const { fanout, add, endTurn, drain, time, sweep, stalled } = setup({ behindTimeoutMs: 1000 });
    const [a, b] = [add("a"), add("b")];
    b.conn.takeNothing();
    fanout.toAll(spoken("a", "burst"), a);
    endTurn();
    time.now = 100;
    expect(drain(b)).toBe(true);
    expect(fanout.owes(b)).toBe(false);
    // It keeps up from now on: each turn in one write.
    for (const t of [500, 900, 1300]) {
      time.now = t;
      fanout.toAll(spoken("a", String(t)), a);
      endTurn();
    }
    expect(b.read()).toEqual([
      chat("a", "burst"),
      chat("a", "500"),
      chat("a", "900"),
      chat("a", "1300"),
    ]);
    time.now = 2000;
    sweep.run?.();
    expect(stalled).toEqual([]);
  });
});

describe("a member's own queue", () => {
  /** A member b, with a 100-byte queue cap, sent five 30-byte lines it has not read: over the cap. */
  function overQueue() {
    const fx = setup({ queueBytes: 100 });
    const b = fx.add("b");
    b.conn.takeNothing();
    for (let i = 0; i < 5; i++) fx.fanout.toOne(b, `${i}`.padEnd(29, "r"));
    fx.endTurn();
    expect(fx.fanout.overQueue(b)).toBe(true);
    return { ...fx, b };
  }

  test("an optional line past queueBytes is refused; a required one never is", () => {
    const { fanout, add, endTurn } = setup({ queueBytes: 100 });
    const b = add("b");
    b.conn.takeNothing();
    const line = "p".repeat(29); // 30 bytes with its newline
    expect([1, 2, 3].map(() => fanout.toOne(b, line, true))).toEqual([true, true, true]);
    expect(fanout.toOne(b, line, true)).toBe(false);
    expect(b.queuedBytes).toBe(90);
    expect(fanout.overQueue(b)).toBe(false);
    expect(fanout.toOne(b, line)).toBe(true);
    expect(fanout.overQueue(b)).toBe(true);
    endTurn();
    expect(b.conn.text).toBe("");
  });

  test("once it reads its queue back under half the cap, its input may go on (relieved)", () => {
    const { b, drain, relieved } = overQueue();
    b.conn.takeUpTo(60);
    drain(b, false);
    expect(b.queuedBytes).toBe(90);
    expect(relieved).toEqual([]);
    drain(b);
    expect(b.queuedBytes).toBe(0);
    expect(relieved).toEqual([b]);
    expect(b.read()).toHaveLength(5);
  });

  test("relieved even when its socket fills up again just as the queue crosses half the cap", () => {
    const { b, drain, relieved } = overQueue();
    // Two lines and the socket is full: 90 bytes left, still over half the cap.
    b.conn.takeUpTo(60);
    drain(b, false);
    // Two more, and it is full again: 30 bytes left, under half the cap.
    b.conn.takeUpTo(60);
    drain(b, false);
    expect(b.queuedBytes).toBe(30);
    // Then it reads everything: whatever the order of cuts, its held input must go on.
    expect(drain(b)).toBe(true);
    expect(b.read()).toHaveLength(5);
    expect(b.queuedBytes).toBe(0);
    expect(relieved).toEqual([b]);
  });
});

describe("leaving", () => {
  test("a member behind that leaves is owed the lines up to its leave, and no later one", () => {
    const { fanout, add, leave, endTurn, drain } = setup();
    const [a, b] = [add("a"), add("b")];
    b.conn.takeNothing();
    fanout.toAll(spoken("a", "1"), a);
    endTurn();
    fanout.toAll(spoken("a", "2"), a);
    leave(b);
    fanout.toAll("* b left");
    fanout.toAll(spoken("a", "3"), a);
    endTurn();
    expect(fanout.owes(b)).toBe(true);
    expect(drain(b)).toBe(true);
    expect(b.read()).toEqual([chat("a", "1"), chat("a", "2")]);
    expect(fanout.owes(b)).toBe(false);
    fanout.toAll("* later");
    endTurn();
    drain(b);
    expect(b.read()).toEqual([]);
  });

  test("release hands a leaving member its share now, its direct lines last", () => {
    const { fanout, add, leave, endTurn } = setup();
    const [a, b] = [add("a"), add("b")];
    fanout.toAll(spoken("b", "hi"), b);
    leave(a);
    fanout.toOne(a, "* bye");
    expect(fanout.release(a)).toBe(true);
    fanout.toAll("* a left");
    endTurn();
    expect(a.read()).toEqual([chat("b", "hi"), "* bye"]);
    expect(b.read()).toEqual(["* a left"]);
  });
});

describe("a bug in one place", () => {
  test("a member whose write throws is handed over after the turn; the others get it", () => {
    const { fanout, add, endTurn, failed, members } = setup();
    const [a, b, c] = [add("a"), add("b"), add("c")];
    const bug = new Error("write blew up");
    b.broken = bug;
    fanout.toAll(spoken("a", "hi"), a);
    endTurn();
    expect(failed).toEqual([[b, bug]]);
    expect(members.size).toBe(3);
    expect(c.read()).toEqual([chat("a", "hi")]);
  });
});
