import { afterEach, describe, expect, test } from "bun:test";
import { BLOCK } from "../../../src/protocol/limits.ts";
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
    // It took the log's newest position here.
    expect(c.room.history()).toEqual([
      {
        at: 1234,
        line: chat("zoe", "hi all"),
        from: "zoe",
        pos: { epoch: c.room.log.epoch, seq: c.room.log.next - 1 },
      },
    ]);
  });

  test("a line for everyone is not remembered; a notice is worded in each reader's language", () => {
    const { c, ana, bia, apply } = setup();
    // Only notices travel so (a topic's): a plain line could pass for this server's own.
    apply(["a", "* server shutting down"]);
    apply(["a", say("topicSet", "zoe", "exams")]);
    expect(ana.read()).toEqual([en.topicSet("zoe", "exams")]);
    expect(bia.read()).toEqual([pt.topicSet("zoe", "exams")]);
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

describe("everything from Redis is checked as a client's input would be", () => {
  const ESC = "\u001b";

  test("lines are sanitised and cut to the line length, and must be a member's line", () => {
    const { c, ana, apply } = setup();
    // A "\n" makes it a block's text ("blocks from elsewhere" below); a lone "\r" is stripped.
    apply(["s", `<zoe> hi${ESC}[2J${ESC}]0;owned\u0007 there\r* forged\u0000`]);
    apply(["s", `<zoe> ${"x".repeat(100_000)}`]);
    apply(["s", "* server shutting down"]);
    apply(["s", "<not a name> hi"]);
    apply(["s", "no sender at all"]);
    apply(["s", "* <zoe> waves"]);
    const lines = ana.read();
    expect(lines[0]).toBe("<zoe> hi there* forged");
    expect(new TextEncoder().encode(lines[1]).length).toBeLessThanOrEqual(
      c.config.maxLineBytes + 200,
    );
    expect(lines[1]).toStartWith("<zoe> xxx");
    expect(lines.slice(2)).toEqual(["* <zoe> waves"]);
    expect(c.room.history()).toHaveLength(3);
  });

  test("blocks from elsewhere: each line checked as one, the whole within BLOCK, or skipped", () => {
    const { c, ana, apply } = setup();
    const block = (who: string, lines: string[]) =>
      lines.map((l) => (l === "" ? `<${who}> |` : `<${who}> | ${l}`)).join("\n");
    apply(["s", block("zoe", ["", "def f():", `  x${ESC}[2J = 1\u0007`, "", "\treturn x", ""])]);
    expect(ana.read()).toEqual([
      "<zoe> | def f():",
      "<zoe> |   x = 1",
      "<zoe> |",
      "<zoe> | \treturn x",
    ]);
    // One entry of history, as a block said here is.
    expect(c.room.history().map((h) => h.line)).toEqual([
      block("zoe", ["def f():", "  x = 1", "", "\treturn x"]),
    ]);
    // Each line is cut as a single line is.
    apply(["s", block("zoe", ["a", "x".repeat(c.config.maxLineBytes + 50)])]);
    const cut = ana.read();
    expect(cut[0]).toBe("<zoe> | a");
    expect(new TextEncoder().encode(cut[1]).length).toBe(c.config.maxLineBytes + 8);
    const skipped = [
      block(
        "zoe",
        Array.from({ length: BLOCK.maxLines + 1 }, (_, i) => `line ${i}`),
      ),
      block(
        "zoe",
        Array.from({ length: 20 }, () => "y".repeat(1000)),
      ),
      `${block("zoe", ["a"])}\n${block("bob", ["b"])}`,
      `${block("zoe", ["a", "b"])}\r\n* forged`,
      `<zoe> a\n<zoe> b`,
      `* <zoe> | a\n* <zoe> | b`,
      block("not a name", ["a", "b"]),
      block("zoe", ["", "only one", ""]),
      `<zoe> | ${"\n".repeat(10_000_000)}`,
    ];
    for (const text of skipped) apply(["s", text]);
    expect(ana.read()).toEqual([]);
    expect(c.room.history()).toHaveLength(2);
  });

  test("no notice of this server's own (shutting down, the link) comes from elsewhere", () => {
    const { ana, bia, apply } = setup();
    for (const key of ["shuttingDown", "linkDown", "linkUp", "linesMissed"] as const) {
      apply(["a", { key, args: [] }]);
    }
    apply(["a", say("linkLost", 3)]);
    apply(["a", say("topicSet", "zoe\u001b[31m", `red${ESC}[0m\ntext`)]);
    apply(["a", say("topicSet", "not a name", "x")]);
    expect(ana.read()).toEqual([en.topicSet("zoe", "redtext")]);
    expect(bia.read()).toEqual([pt.topicSet("zoe", "redtext")]);
  });

  test("notices are rebuilt from the event's own checked fields", () => {
    const { c, ana, apply } = setup();
    // A join that says someone else joined; a leave that says the server is shutting down.
    apply(["j", "zoe", "10.9.0.1", say("joined", "admin")]);
    apply(["j", "yan", "10.9.0.2", say("renamed", "a", "b")]);
    apply(["p", "yan", { key: "shuttingDown", args: [] }]);
    apply(["p", "zoe", say("kicked", "someone", "op", `bye${ESC}[2J`)]);
    apply(["j", "kim", "10.9.0.3", null]);
    apply(["r", "kim", "kai", say("renamed", "x", "y")]);
    expect(ana.read()).toEqual([
      en.joined("zoe"),
      en.kicked("zoe", "op", "bye"),
      en.renamed("kim", "kai"),
    ]);
    expect(c.room.names()).toEqual(["ana", "bia", "kai"]);
  });

  test("names and addresses must be valid: bad members are left out", () => {
    const { c, apply } = setup();
    apply(["j", "a b", "10.9.0.1", null]);
    apply(["j", "x".repeat(25), "10.9.0.1", null]);
    apply(["j", "zoe", "10.9.0.1\n10.0.0.1", null]);
    apply(["j", "zoe", "h".repeat(65), null]);
    apply([
      "h",
      [
        ["yan", "10.9.0.2"],
        ["bad name", "h"],
        ["kim", "not an address!"],
      ],
      true,
    ]);
    expect(c.room.names()).toEqual(["ana", "bia", "yan"]);
    apply(["b", "10.66.0.1 or anyone", "mal"]);
    apply(["b", "", "mal"]);
    apply(["b", "10.66.0.1", "<mal>"]);
    expect(c.gate.banned()).toEqual([]);
  });

  test("a private line and the topic are sanitised and cut", () => {
    const { c, ana, apply } = setup();
    apply(["m", "ana", "zoe", `psst${ESC}[1A\u0007`]);
    apply(["m", "ana", "zoe", "y".repeat(50_000)]);
    apply(["t", `exams${ESC}]8;;http://x${ESC}\\ friday\u0085`]);
    const [first, second] = ana.read();
    expect(first).toBe(en.privateFrom("zoe", "psst"));
    expect(second).toBe(en.privateFrom("zoe", "y".repeat(c.config.maxLineBytes)));
    expect(c.room.topic).toBe("exams friday");
    apply(["t", "z".repeat(50_000)]);
    expect(c.room.topic).toBe("z".repeat(c.config.maxLineBytes));
  });

  test("a removal's reason reaches the log sanitised and short", () => {
    const { ana, bia, apply, log } = setup();
    // A removal whose notice is not a kick or ban changes nothing.
    apply(["x", "ana", { key: "shuttingDown", args: [] }, "why"]);
    expect(ana.client.phase).toBe("joined");
    apply([
      "x",
      "bia",
      say("kicked", "bia", "zoe"),
      `why\nFAKE: ana is an operator${ESC}[2K${"!".repeat(1000)}`,
    ]);
    expect(bia.client.phase).toBe("ending");
    const line = log.lines.find((l) => l.includes("removed from another server")) ?? "";
    expect(line).toStartWith("bia removed from another server (whyFAKE: ana is an operator!!!");
    expect(line.length).toBeLessThan(320);
  });
});
