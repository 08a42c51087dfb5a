/** Protocol version 2 on a session: asking for it, and what a v2 connection reads. */

import { describe, expect, test } from "bun:test";
import { chat, SERVER_TEXT } from "../../../src/protocol/messages.ts";
import { checkName } from "../../../src/protocol/names.ts";
import { formatPosition, parseTagged } from "../../../src/protocol/tags.ts";
import { CAP_V2, capLine } from "../../../src/server/session/v2.ts";
import { contextPerTest, join, open } from "../../support/fakes.ts";

const en = SERVER_TEXT.en;
const setup = contextPerTest();

const badName = (text: string) => {
  const check = checkName(text);
  if (check.ok) throw new Error(`${text} is a valid name`);
  return check.problem;
};

describe("CAP papo/2", () => {
  test("as the first line: answered with the room's limits, and v2 from then on", () => {
    const c = setup({ rateLimit: 5, rateBurst: 9 });
    const ana = open(c);
    // The greeting went out before anything was read: the one untagged line.
    expect(ana.read()).toEqual([en.greeting()]);
    ana.say(CAP_V2);
    const [cap] = ana.read();
    expect(cap).toBe(capLine(c.config, c.room.log.epoch));
    expect(parseTagged(cap as string)).toEqual({
      tags: {
        kind: "cap",
        v: "2",
        epoch: c.room.log.epoch,
        password: "0",
        lang: c.config.lang,
        "max-line": String(c.config.maxLineBytes),
        rate: "5",
        burst: "9",
        window: String(c.config.windowBytes),
        grace: String(Math.round(c.config.resumeGraceMs / 1000)),
        queue: String(c.config.maxQueueBytes),
      },
      text: "CAP ACK papo/2",
    });
    expect(ana.client.v2).toBe(true);
    const before = c.room.log.next;
    ana.say("ana");
    const [welcome, limits] = ana.read().map(parseTagged);
    expect(welcome?.text).toBe(en.welcome("ana", 1, ["ana"]));
    expect(welcome?.tags).toMatchObject({
      kind: "reply",
      ev: "welcome",
      args: '["ana",1,["ana"]]',
    });
    expect(welcome?.tags.token).toMatch(/^[0-9a-f]{16}\.[0-9a-f]{32}$/);
    // The last position before it joined (its own join notice, which it does not read, is after).
    expect(welcome?.tags.pos).toBe(formatPosition(c.room.log.epoch, before - 1));
    expect(limits?.tags).toMatchObject({ kind: "reply", ev: "limits" });
  });

  test("a room with a password says so", () => {
    const c = setup({ roomPassword: "door" });
    const ana = open(c);
    ana.read();
    ana.say(CAP_V2);
    expect(parseTagged(ana.read()[0] as string).tags.password).toBe("1");
  });

  test("anywhere but the first line it is a name, and an invalid one", () => {
    const c = setup();
    const ana = open(c);
    ana.read();
    ana.say("-", CAP_V2);
    expect(ana.read()).toEqual([en.invalidName("no-letter"), en.invalidName(badName(CAP_V2))]);
    expect(ana.client.v2).toBe(false);
    // Asked twice: the second is a name too, answered in v2.
    const bob = open(c);
    bob.read();
    bob.say(CAP_V2, CAP_V2);
    const [, again] = bob.read().map(parseTagged);
    expect(again).toEqual({
      tags: { kind: "reply", ev: "invalidName", args: JSON.stringify([badName(CAP_V2)]) },
      text: en.invalidName(badName(CAP_V2)),
    });
  });

  test("a notice's optional argument not given is left out of args, not sent as null", () => {
    const c = setup();
    const bob = join(c, "bob");
    const ana = open(c);
    ana.say(CAP_V2, "ana");
    ana.read();
    bob.closes();
    const [left] = ana.read().map(parseTagged);
    expect(left?.tags).toMatchObject({ kind: "notice", ev: "left", args: '["bob"]' });
    expect(left?.text).toBe(en.left("bob"));
  });

  test("a v1 connection's RESUME is a name like any other", () => {
    const c = setup();
    const ana = open(c);
    ana.read();
    ana.say("RESUME 0123456789abcdef.00 -");
    expect(ana.read()).toEqual([en.invalidName(badName("RESUME 0123456789abcdef.00 -"))]);
  });

  test("room lines carry their position, time and sender; v1 members read the same lines bare", () => {
    const at = Date.UTC(2026, 11, 6, 11, 50, 0, 123);
    const c = setup({}, { clock: () => at });
    const bob = join(c, "bob");
    const ana = open(c);
    ana.say(CAP_V2, "ana");
    ana.read();
    bob.read();
    const first = c.room.log.next;
    bob.say("hi", "/me waves");
    expect(ana.read().map(parseTagged)).toEqual([
      {
        tags: {
          kind: "chat",
          pos: formatPosition(c.room.log.epoch, first),
          time: new Date(at).toISOString(),
          from: "bob",
        },
        text: chat("bob", "hi"),
      },
      {
        tags: {
          kind: "action",
          pos: formatPosition(c.room.log.epoch, first + 1),
          time: new Date(at).toISOString(),
          from: "bob",
        },
        text: "* <bob> waves",
      },
    ]);
    ana.say("hello");
    expect(bob.read()).toEqual([chat("ana", "hello")]);
  });
});
