/**
 * A throw in any entry point the event loop calls outside a socket handler
 * (the next turn, a client's timers, the read-timeout sweep, a held
 * sender's relief on drain, the cluster's flush)
 * is logged with its stack, cuts only the client it concerns, and the room
 * goes on: the other members still exchange lines afterwards.
 */

import { afterEach, describe, expect, jest, test } from "bun:test";
import { chat } from "../../src/protocol/messages.ts";
import { FANOUT } from "../../src/server/room/fanout.ts";
import type { Context } from "../../src/server/session/context.ts";
import { Hold, type LineHandler } from "../../src/server/session/input.ts";
import * as lifecycle from "../../src/server/session/lifecycle.ts";
import {
  closeAll,
  join,
  makeContext,
  makeShared,
  open,
  recordingLog,
  turn,
} from "../support/fakes.ts";

let ctx: Context | null = null;
afterEach(() => {
  jest.useRealTimers();
  if (ctx !== null) closeAll(ctx);
  ctx = null;
});

/** A line handler that throws on "boom" and is the server's own otherwise. */
const throwingOnBoom: LineHandler = (c, client, line) => {
  if (line === "boom") throw new Error("a bug in a command");
  lifecycle.handle(c, client, line);
};

function setup(overrides: Parameters<typeof makeContext>[0] = {}) {
  const log = recordingLog();
  const c = makeContext(overrides, { log });
  (c as { handle: LineHandler }).handle = throwingOnBoom;
  ctx = c;
  return { c, log };
}

describe("a bug in one place never stops the room", () => {
  test("in the next turn: the client is cut, the turn goes on for the rest", async () => {
    // A turn gathers about maxQueueBytes: 1024 bytes, about 9 of ana's lines.
    const { c, log } = setup({ maxQueueBytes: 1024 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    const cid = join(c, "cid");
    const long = "x".repeat(100);
    // A full turn defers the rest of ana's input, "boom" among it, to the next turn.
    ana.say(...Array.from({ length: 15 }, () => long), "boom", "never said");
    bob.say("one");
    for (let i = 0; i < 10 && c.waiting.clients.size + Number(c.waiting.scheduled) > 0; i++) {
      await turn();
    }
    expect(ana.conn.terminations).toBe(1);
    expect(log.lines.some((l) => l.includes("a bug in a command"))).toBe(true);
    bob.say("two");
    const heard = cid.read();
    expect(heard).toContain(chat("bob", "one"));
    expect(heard).toContain(chat("bob", "two"));
    expect(heard).not.toContain(chat("ana", "never said"));
  });

  test("in a flood-control timer: the client is cut, the others go on", () => {
    jest.useFakeTimers();
    const { c, log } = setup({ rateLimit: 1, rateBurst: 1 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    jest.advanceTimersByTime(2000);
    ana.say("fine", "boom");
    expect(bob.read()).toEqual([chat("ana", "fine")]);
    jest.advanceTimersByTime(1000);
    expect(ana.conn.terminations).toBe(1);
    expect(log.lines.some((l) => l.includes("a bug in a command"))).toBe(true);
    jest.advanceTimersByTime(2000);
    const cid = join(c, "cid");
    bob.say("still here");
    expect(cid.read()).toEqual([chat("bob", "still here")]);
  });

  test("in the read-timeout sweep: logged, and the room goes on", () => {
    jest.useFakeTimers();
    const { c, log } = setup({ behindTimeoutMs: 1_000 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    const cid = join(c, "cid");
    const slow = join(c, "slow");
    slow.conn.takeNothing();
    const fanout = (c.room as unknown as { fanout: { hooks: { stalled: () => void } } }).fanout;
    fanout.hooks.stalled = () => {
      throw new Error("stalled blew up");
    };
    ana.say("one");
    cid.read();
    jest.advanceTimersByTime(FANOUT.sweepMs);
    const logged = log.lines.some(
      (l) => l.includes("the read-timeout sweep") && l.includes("stalled blew up"),
    );
    expect(logged).toBe(true);
    bob.say("after");
    expect(cid.read()).toEqual([chat("bob", "after")]);
  });

  test("in a held sender's relief on drain: that sender is cut, the others go on", async () => {
    const { c } = setup({ maxQueueBytes: 2048 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    const cid = join(c, "cid");
    ana.read();
    ana.conn.takeNothing();
    // ana asks faster than it reads: its input is held with "boom" in it.
    ana.say(...Array.from({ length: 12 }, () => "/help"), "boom", "never said");
    for (let i = 0; i < 10 && (ana.client.holds & Hold.Owed) === 0; i++) await turn();
    expect(ana.client.holds & Hold.Owed).toBe(Hold.Owed);
    // It reads: its input goes on, and the bug in handling "boom" cuts it alone.
    cid.read();
    ana.drain();
    for (let i = 0; i < 10 && ana.conn.terminations === 0; i++) await turn();
    expect(ana.conn.terminations).toBe(1);
    bob.say("still here");
    const heard = cid.read();
    expect(heard).toContain(chat("bob", "still here"));
    expect(heard).not.toContain(chat("ana", "never said"));
  });

  test("in the cluster's flush: logged, and the next turn's batch goes out", async () => {
    const log = recordingLog();
    const s = makeShared({}, { log });
    ctx = s.ctx;
    await turn();
    const publish = s.link.publish.bind(s.link);
    s.link.publish = () => {
      throw new Error("publish blew up");
    };
    // In a shared room a name is claimed first: the join is a turn later.
    const ana = open(s.ctx);
    ana.say("ana");
    await turn();
    await turn();
    expect(ana.client.phase).toBe("joined");
    expect(
      log.lines.some((l) => l.includes("cluster's flush") && l.includes("publish blew up")),
    ).toBe(true);
    s.link.publish = publish;
    const before = s.link.published.length;
    ana.say("hello");
    await turn();
    expect(s.link.published.length).toBe(before + 1);
    expect(s.link.sent().at(-1)).toEqual(["s", chat("ana", "hello"), ana.client.id]);
  });
});
