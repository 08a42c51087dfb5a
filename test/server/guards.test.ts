/**
 * A throw in any entry point the event loop calls outside a socket handler
 * (the next turn, a client's timers, the pacer's timer, the cluster's flush)
 * is logged with its stack, cuts only the client it concerns, and the room
 * goes on: the other members still exchange lines afterwards.
 */

import { afterEach, describe, expect, jest, test } from "bun:test";
import { chat } from "../../src/protocol/messages.ts";
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
    const { c, log } = setup({ maxQueueBytes: 4096 });
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

  test("in the pacer's timer: logged, and the room goes on", async () => {
    jest.useFakeTimers();
    const { c, log } = setup({ maxQueueBytes: 4096 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    const cid = join(c, "cid");
    const slow = join(c, "slow");
    slow.conn.takeNothing();
    const hooks = (c.room as unknown as { hooks: { resume: (m: unknown) => void } }).hooks;
    hooks.resume = () => {
      throw new Error("resume blew up");
    };
    // The slow reader near its cap holds the room: ana is paused.
    ana.say(...Array.from({ length: 40 }, (_, i) => `${i} ${"y".repeat(90)}`));
    for (let i = 0; i < 10 && (ana.client.holds & Hold.Paced) === 0; i++) await turn();
    expect(ana.client.holds & Hold.Paced).toBe(Hold.Paced);
    // It stalls after its grace: the timer lets the room go, and resuming throws.
    jest.advanceTimersByTime(2500);
    const logged = log.lines.some(
      (l) => l.includes("the pacer's timer") && l.includes("resume blew up"),
    );
    expect(logged).toBe(true);
    cid.read();
    bob.say("after");
    expect(cid.read()).toEqual([chat("bob", "after")]);
  });

  test("resuming paced senders: one whose held line throws is cut, the next is still resumed", async () => {
    const { c } = setup({ maxQueueBytes: 4096 });
    const cid = join(c, "cid");
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    const dan = join(c, "dan");
    const slow = join(c, "slow");
    slow.conn.takeNothing();
    // cid's flood brings the slow reader near its cap: the room is pressed, cid paused.
    cid.say(...Array.from({ length: 25 }, (_, i) => `${i} ${"y".repeat(90)}`));
    for (let i = 0; i < 10 && (cid.client.holds & Hold.Paced) === 0; i++) await turn();
    expect(cid.client.holds & Hold.Paced).toBe(Hold.Paced);
    // While it is pressed, ana's and bob's lines wait with the senders.
    ana.say("boom");
    bob.say("held");
    expect(ana.client.holds & Hold.Paced).toBe(Hold.Paced);
    expect(bob.client.holds & Hold.Paced).toBe(Hold.Paced);
    dan.read();
    // The slow reader catches up: resuming ana throws; bob is resumed all the same.
    slow.drain();
    await turn();
    expect(ana.conn.terminations).toBe(1);
    expect(bob.client.holds & Hold.Paced).toBe(0);
    expect(dan.read()).toContain(chat("bob", "held"));
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
    expect(s.link.sent().at(-1)).toEqual(["s", chat("ana", "hello")]);
  });
});
