import { afterEach, describe, expect, test } from "bun:test";
import { chat, SERVER_TEXT, say } from "../../../src/protocol/messages.ts";
import { arrived } from "../../../src/server/cluster/arrivals.ts";
import type { Event } from "../../../src/server/cluster/events.ts";
import type { Context } from "../../../src/server/session/context.ts";
import { closeAll, join, makeContext, open, recordingLog } from "../../support/fakes.ts";

const en = SERVER_TEXT.en;
const pt = SERVER_TEXT.pt;
let ctx: Context | null = null;

afterEach(() => {
  if (ctx !== null) closeAll(ctx);
  ctx = null;
});

/** A server with ana (English) and bia (Portuguese); `apply` is one event from server n2. */
function setup() {
  const log = recordingLog();
  const c = makeContext({}, { log });
  ctx = c;
  const ana = join(c, "ana");
  const bia = join(c, "bia", { lang: "pt" });
  ana.read();
  let rosters = 0;
  const apply = (event: unknown[], at = 1000) =>
    arrived(c, "n2", event as Event, at, () => rosters++);
  return { c, ana, bia, apply, log, rosters: () => rosters };
}

describe("another server's events, as room calls", () => {
  test("a line said elsewhere is read here and remembered with its time", () => {
    const { c, ana, bia, apply } = setup();
    apply(["s", chat("zoe", "hi all")], 1234);
    expect(ana.read()).toEqual([chat("zoe", "hi all")]);
    expect(bia.read()).toEqual([chat("zoe", "hi all")]);
    expect(c.room.history()).toEqual([{ at: 1234, line: chat("zoe", "hi all") }]);
  });

  test("a line for everyone is not remembered; a notice is worded in each reader's language", () => {
    const { c, ana, bia, apply } = setup();
    apply(["a", "* plain"]);
    apply(["a", say("topicSet", "zoe", "exams")]);
    expect(ana.read()).toEqual(["* plain", en.topicSet("zoe", "exams")]);
    expect(bia.read()).toEqual(["* plain", pt.topicSet("zoe", "exams")]);
    expect(c.room.history()).toEqual([]);
  });

  test("members elsewhere join, rename and leave, with their notices", () => {
    const { c, ana, bia, apply } = setup();
    apply(["j", "zoe", "10.9.0.1", say("joined", "zoe")]);
    apply(["j", "yan", "10.9.0.2", null]);
    expect(c.room.memberCount).toBe(4);
    expect(c.room.isFree("Zoe")).toBe(false);
    apply(["r", "zoe", "zed", say("renamed", "zoe", "zed")]);
    apply(["p", "zed", say("left", "zed", "bye")]);
    expect(ana.read()).toEqual([en.joined("zoe"), en.renamed("zoe", "zed"), en.left("zed", "bye")]);
    expect(bia.read()).toEqual([pt.joined("zoe"), pt.renamed("zoe", "zed"), pt.left("zed", "bye")]);
    expect(c.room.names()).toEqual(["ana", "bia", "yan"]);
  });

  test("a private line reaches the local member it is for, and nobody else", () => {
    const { ana, bia, apply } = setup();
    apply(["m", "ANA", "zoe", "psst"]);
    apply(["m", "nobody", "zoe", "lost"]);
    expect(ana.read()).toEqual([en.privateFrom("zoe", "psst")]);
    expect(bia.read()).toEqual([]);
  });

  test("a removal of a local member: everyone reads it, the member last, then it is closed", () => {
    const { c, ana, bia, apply } = setup();
    apply(["x", "bia", say("kicked", "bia", "zoe", "rude"), "kicked by zoe"]);
    expect(ana.read()).toEqual([en.kicked("bia", "zoe", "rude")]);
    expect(bia.read()).toEqual([pt.kicked("bia", "zoe", "rude")]);
    expect(bia.client.phase).toBe("ending");
    expect(bia.client.endReason).toBe("kicked by zoe");
    expect(c.room.names()).toEqual(["ana"]);
  });

  test("a ban elsewhere refuses the address here; an unban lets it in again", () => {
    const { c, apply } = setup();
    apply(["b", "10.66.0.1", "mal"]);
    const refused = open(c, { address: "10.66.0.1" });
    expect(refused.admitted).toBe(false);
    expect(refused.conn.lines()).toEqual([en.bannedHere()]);
    refused.client.clearTimer();
    apply(["u", "MAL"]);
    expect(open(c, { address: "10.66.0.1" }).admitted).toBe(true);
  });

  test("the topic set elsewhere is the room's (its notice travels as its own event)", () => {
    const { c, ana, apply } = setup();
    apply(["t", "exams"]);
    expect(c.room.topic).toBe("exams");
    expect(ana.read()).toEqual([]);
  });

  test("a roster replaces what was known of that server; a question is answered with ours", () => {
    const { c, ana, apply, rosters } = setup();
    apply(["j", "zoe", "h", null]);
    apply(["h", [["yan", "h"], ["bad"], [1, 2]], false]);
    expect(ana.read()).toEqual([en.left("zoe"), en.joined("yan")]);
    expect(c.room.names()).toEqual(["ana", "bia", "yan"]);
    apply(["?"]);
    expect(rosters()).toBe(1);
    apply(["g"]);
    expect(ana.read()).toEqual([en.left("yan")]);
    expect(c.room.memberCount).toBe(2);
  });
});

describe("malformed events", () => {
  test("are skipped without throwing, and change nothing", () => {
    const { c, ana, bia, apply, log } = setup();
    const bad: unknown[][] = [
      ["s", 42],
      ["s"],
      ["a", { key: "welcome", args: ["x"] }],
      ["a", null],
      ["j", "zoe"],
      ["j", 1, "h", null],
      ["p", null],
      ["r", "ana", "x", "not a notice"],
      ["m", "ana", "zoe"],
      ["x", "ana", { key: "toString", args: [] }, "why"],
      ["x", "ana", say("kicked", "ana", "zoe"), 7],
      ["b", "10.1.1.1"],
      ["u", 5],
      ["t", ["exams"]],
      ["h", "everyone", false],
      ["zz", "what"],
      [],
    ];
    for (const event of bad) expect(() => apply(event)).not.toThrow();
    expect(ana.read()).toEqual([]);
    expect(bia.read()).toEqual([]);
    expect(c.room.names()).toEqual(["ana", "bia"]);
    expect(c.room.topic).toBe("");
    expect(c.room.history()).toEqual([]);
    expect(c.gate.banned()).toEqual([]);
    expect(ana.client.phase).toBe("joined");
    expect(log.lines.filter((l) => l.startsWith("cluster:"))).toEqual([
      "cluster: skipped an unknown event zz",
      "cluster: skipped an unknown event undefined",
    ]);
  });

  test("a join notice that is not a notice joins the member without one", () => {
    const { c, ana, apply } = setup();
    apply(["j", "zoe", "h", { key: "nope", args: [] }]);
    expect(c.room.isFree("zoe")).toBe(false);
    expect(ana.read()).toEqual([]);
  });
});
