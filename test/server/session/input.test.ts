import { describe, expect, jest, test } from "bun:test";
import { chat, SERVER_TEXT } from "../../../src/protocol/messages.ts";
import type { Context } from "../../../src/server/session/context.ts";
import { Hold, relieved } from "../../../src/server/session/input.ts";
import { contextPerTest, type FakeClient, join, turn } from "../../support/fakes.ts";

const en = SERVER_TEXT.en;
const setup = contextPerTest();

/** Event-loop turns until nothing waits for a turn any more (at most `max`). */
async function settle(c: Context, max = 20): Promise<void> {
  for (let i = 0; i < max && (c.waiting.clients.size > 0 || c.waiting.scheduled); i++) await turn();
  await turn();
}

describe("lines across reads", () => {
  test("a line split over several reads is acted on once, when it is whole", () => {
    const c = setup();
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    ana.send("hel");
    ana.send("lo\r\nwor");
    expect(bob.read()).toEqual([chat("ana", "hello")]);
    ana.send("ld\n");
    expect(bob.read()).toEqual([chat("ana", "world")]);
    expect(bob.read()).toEqual([]);
  });

  test("many lines in one read are acted on in order", () => {
    const c = setup();
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.send("one\ntwo\n/me waves\nthree\n");
    expect(bob.read()).toEqual([
      chat("ana", "one"),
      chat("ana", "two"),
      "* <ana> waves",
      chat("ana", "three"),
    ]);
  });
});

describe("turns", () => {
  test("a full turn defers the rest to the next turn, behind whoever waits already", async () => {
    // A turn gathers about maxQueueBytes: 1024 bytes, about 9 of these lines.
    const c = setup({ maxQueueBytes: 1024 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    const cid = join(c, "cid");
    ana.read();
    bob.read();
    const long = (who: string, n: number) =>
      `${who} ${String(n).padStart(2, "0")} ${"x".repeat(100)}`;
    const anas = Array.from({ length: 25 }, (_, i) => long("ana", i));
    const bobs = Array.from({ length: 3 }, (_, i) => long("bob", i));
    ana.say(...anas);
    expect(c.room.turnFull).toBe(true);
    expect(ana.client.holds & Hold.Turn).toBe(Hold.Turn);
    expect(ana.conn.paused).toBe(true);
    bob.say(...bobs);
    // Others wait for a turn: bob's input queues behind them rather than take it.
    expect(bob.client.holds & Hold.Turn).toBe(Hold.Turn);
    const first = c.room.history().length;
    expect(first).toBeGreaterThan(5);
    expect(first).toBeLessThan(25);
    await settle(c);
    const lines = cid.read();
    expect(lines).toHaveLength(28);
    // Every line once, each sender's in order; bob's lines did not wait for all of ana's.
    expect(lines.filter((l) => l.startsWith("<ana>"))).toEqual(anas.map((l) => chat("ana", l)));
    expect(lines.filter((l) => l.startsWith("<bob>"))).toEqual(bobs.map((l) => chat("bob", l)));
    expect(lines.indexOf(chat("bob", bobs[0] as string))).toBeLessThan(
      lines.indexOf(chat("ana", anas[24] as string)),
    );
    expect([ana.conn.paused, bob.conn.paused]).toEqual([false, false]);
    expect(c.waiting.clients.size).toBe(0);
  });
});

describe("flood control", () => {
  test("lines over the rate are delayed, never dropped; the sender is warned once per burst", () => {
    jest.useFakeTimers();
    const c = setup({ rateLimit: 2, rateBurst: 3 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    // The name took a token: a full bucket again.
    jest.advanceTimersByTime(2000);
    ana.say("1", "2", "3", "4", "5", "6");
    expect(bob.read()).toEqual(["1", "2", "3"].map((n) => chat("ana", n)));
    expect(ana.read()).toEqual([en.slowDown(2)]);
    expect(ana.conn.paused).toBe(true);
    jest.advanceTimersByTime(499);
    expect(bob.read()).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(bob.read()).toEqual([chat("ana", "4")]);
    jest.advanceTimersByTime(1000);
    expect(bob.read()).toEqual([chat("ana", "5"), chat("ana", "6")]);
    expect(ana.read()).toEqual([]);
    // The bucket fills up again: the next burst over the rate is warned about again.
    jest.advanceTimersByTime(2000);
    expect(ana.conn.paused).toBe(false);
    ana.say("7", "8", "9", "10");
    expect(ana.read()).toEqual([en.slowDown(2)]);
    jest.advanceTimersByTime(500);
    expect(bob.read()).toEqual(["7", "8", "9", "10"].map((n) => chat("ana", n)));
  });
});

describe("flood control at exactly the burst", () => {
  // The decoder lets go of a chunk once its last line is taken, so work() does
  // not ask the bucket for a line that is not there.
  test("a burst that fits the bucket is not warned about", () => {
    jest.useFakeTimers();
    const c = setup({ rateLimit: 2, rateBurst: 3 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    jest.advanceTimersByTime(2000);
    ana.say("1", "2", "3");
    expect(bob.read()).toEqual(["1", "2", "3"].map((n) => chat("ana", n)));
    expect(ana.read()).toEqual([]);
  });
});

describe("readers behind and a sender's own queue", () => {
  /**
   * ana and bob, with a 2048-byte queue cap; ana asks for /help twelve times
   * and then says "after the help", reading none of it: its input is held.
   */
  async function helpUnread(): Promise<{ c: Context; ana: FakeClient; bob: FakeClient }> {
    const c = setup({ maxQueueBytes: 2048 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    bob.read();
    ana.read();
    ana.conn.takeNothing();
    // Each /help is a few hundred bytes of replies for ana alone.
    ana.say(...Array.from({ length: 12 }, () => "/help"), "after the help");
    // A turn gathers a quarter of the cap: the replies take a few turns to pass it.
    await settle(c);
    expect(ana.client.holds & Hold.Owed).toBe(Hold.Owed);
    return { c, ana, bob };
  }

  test("a reader falling behind never holds a sender back", async () => {
    const c = setup({ maxQueueBytes: 4096 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    const cid = join(c, "cid");
    bob.conn.takeNothing();
    const lines = Array.from({ length: 40 }, (_, i) => `${i} ${"y".repeat(100)}`);
    ana.say(...lines);
    await settle(c);
    expect(cid.read().filter((l) => l.startsWith("<ana>"))).toEqual(
      lines.map((l) => chat("ana", l)),
    );
    expect(ana.client.holds).toBe(0);
    expect(ana.conn.paused).toBe(false);
    expect(c.room.history()).toHaveLength(40);
    bob.drain();
    expect(bob.read().filter((l) => l.startsWith("<ana>"))).toEqual(
      lines.map((l) => chat("ana", l)),
    );
  });

  test("a sender that does not read its own replies has its input held until it reads them", async () => {
    const { c, ana, bob } = await helpUnread();
    expect(ana.conn.paused).toBe(true);
    expect(bob.read()).toEqual([]);
    // It reads: its queue falls back, its input goes on.
    ana.drain();
    await settle(c);
    expect(ana.client.holds).toBe(0);
    expect(ana.conn.paused).toBe(false);
    expect(bob.read()).toEqual([chat("ana", "after the help")]);
  });

  test("a sender whose replies drain in pieces still gets its input back", async () => {
    const { c, ana, bob } = await helpUnread();
    // Its socket takes a kernel buffer's worth at a time, as a real one does.
    for (let i = 0; i < 100 && c.room.owes(ana.client); i++) {
      ana.conn.takeUpTo(700);
      ana.drain(false);
      await settle(c);
    }
    expect(c.room.owes(ana.client)).toBe(false);
    expect(ana.client.holds).toBe(0);
    expect(bob.read()).toEqual([chat("ana", "after the help")]);
  });
});

describe("relieved while a turn is delivered", () => {
  /** Two /help a turn, unread, until `fc`'s input is held for its own replies. */
  async function owed(c: Context, fc: FakeClient): Promise<void> {
    fc.conn.takeNothing();
    for (let i = 0; i < 200 && (fc.client.holds & Hold.Owed) === 0; i++) {
      fc.say("/help");
      c.room.flush();
      await turn();
    }
    expect(fc.client.holds & Hold.Owed).toBe(Hold.Owed);
  }

  test("a sender relieved during a delivery says its held line, and never reads it back", async () => {
    const c = setup({ maxQueueBytes: 4096 });
    const bob = join(c, "bob");
    const ana = join(c, "ana");
    bob.read();
    await owed(c, ana);
    ana.say("hello from ana");
    // Its socket has room again, and no drain came yet: the next delivery relieves it.
    ana.conn.takeAll();
    bob.say("bob speaks");
    await settle(c);
    expect(ana.client.holds).toBe(0);
    expect(bob.read()).toEqual([chat("ana", "hello from ana")]);
    const heard = ana.conn.lines().filter((l) => l.startsWith("<"));
    expect(heard).toEqual([chat("bob", "bob speaks")]);
  });

  test("a relief during a delivery that ends in /quit strands no silent member", async () => {
    const c = setup({ maxQueueBytes: 4096 });
    const bob = join(c, "bob");
    const ana = join(c, "ana");
    const cid = join(c, "cid");
    bob.read();
    ana.read();
    cid.read();
    await owed(c, ana);
    ana.say("/quit");
    ana.conn.takeAll();
    bob.say("x");
    await settle(c);
    expect(cid.read()).toEqual([chat("bob", "x"), en.left("ana")]);
    bob.say("y", "z");
    await settle(c);
    expect(cid.read()).toEqual([chat("bob", "y"), chat("bob", "z")]);
  });
});

describe("the end of input", () => {
  test("a peer that ends: its last line without a newline is acted on, then it leaves", async () => {
    const c = setup();
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.send("first\nlast words");
    expect(bob.read()).toEqual([chat("ana", "first")]);
    ana.peerEnds();
    expect(bob.read()).toEqual([chat("ana", "last words"), en.left("ana")]);
    expect(ana.client.phase).toBe("ending");
    // Its side is done and so is ours: closed at once, nothing owed.
    expect(ana.conn.ends).toBe(1);
    expect(ana.conn.shutdowns).toBe(0);
    await Promise.resolve();
    expect(ana.client.phase).toBe("closed");
    expect(c.room.connectionCount).toBe(1);
  });

  test("a peer that ends while held: its lines are acted on first, once released", () => {
    const c = setup();
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.client.hold(Hold.Owed);
    ana.send("one\ntwo");
    ana.peerEnds();
    expect(bob.read()).toEqual([]);
    relieved(c, ana.client);
    expect(bob.read()).toEqual([chat("ana", "one"), chat("ana", "two"), en.left("ana")]);
  });

  test("closing discards whatever input is left, and whatever comes after", () => {
    const c = setup();
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    ana.send("/quit\nnever said\n");
    ana.send("nor this\n");
    expect(bob.read()).toEqual([en.left("ana")]);
    expect(ana.read()).toEqual([en.bye()]);
    expect(ana.client.phase).toBe("ending");
    expect(ana.conn.shutdowns).toBe(1);
    expect(c.room.history()).toEqual([]);
  });
});
