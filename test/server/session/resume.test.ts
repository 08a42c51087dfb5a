/**
 * Resume (docs/protocol.md, "Resume"): a v2 member whose connection vanishes
 * is away for the grace; a new connection showing its token takes its
 * place, and nobody sees it go or come back.
 */

import { describe, expect, jest, test } from "bun:test";
import { chat, SERVER_TEXT } from "../../../src/protocol/messages.ts";
import { formatPosition, parseTagged, type Tagged } from "../../../src/protocol/tags.ts";
import { FANOUT } from "../../../src/server/room/fanout.ts";
import type { Context } from "../../../src/server/session/context.ts";
import { CAP_V2 } from "../../../src/server/session/v2.ts";
import { contextPerTest, type FakeClient, join, open } from "../../support/fakes.ts";

const en = SERVER_TEXT.en;
const setup = contextPerTest();

/** A v2 member as papo's client keeps it: its connection, its token, the last position it showed. */
interface V2 {
  fc: FakeClient;
  token: string;
  pos: string;
}

/** Take in the lines a v2 client read: a new token, and the position of the last room line. */
function seen(member: V2, lines: readonly string[]): Tagged[] {
  const tagged = lines.map(parseTagged);
  for (const { tags } of tagged) {
    if (tags.token !== undefined) member.token = tags.token;
    if (tags.pos !== undefined && tags.kind !== "gap") member.pos = tags.pos;
  }
  return tagged;
}

/** A connection that asks for v2 and joins as `name`. */
function joinV2(c: Context, name: string): V2 {
  const fc = open(c);
  fc.say(CAP_V2, name);
  const member: V2 = { fc, token: "", pos: "-" };
  seen(member, fc.read());
  if (fc.client.phase !== "joined" || member.token === "") throw new Error(`${name} did not join`);
  return member;
}

/** A new connection that resumes with `token` from `pos`; its lines after the greeting and cap. */
function resumeWith(c: Context, token: string, pos: string): { fc: FakeClient; lines: string[] } {
  const fc = open(c);
  fc.say(CAP_V2, `RESUME ${token} ${pos}`);
  const [greeting, cap, ...lines] = fc.read();
  expect(greeting).toBe(en.greeting());
  expect(parseTagged(cap as string).tags.kind).toBe("cap");
  return { fc, lines };
}

const isFailed = (line: string | undefined) => {
  const { tags, text } = parseTagged(line ?? "");
  return tags.kind === "reply" && tags.ev === "resumeFailed" && text === en.resumeFailed();
};

/** A room (made as `setup` makes one) with bob, on v1, and ana, on v2; bob has read ana's arrival. */
function bobAndAna(...args: Parameters<typeof setup>): { c: Context; bob: FakeClient; ana: V2 } {
  const c = setup(...args);
  const bob = join(c, "bob");
  const ana = joinV2(c, "ana");
  bob.read();
  return { c, bob, ana };
}

/** A line of bob's that ana's socket stops inside, 5 bytes in. */
const CUT = "a line long enough to be cut";

/** As {@link bobAndAna}; then ana's socket stops inside bob's line {@link CUT}. */
function anaCutInside(): { c: Context; bob: FakeClient; ana: V2 } {
  const { c, bob, ana } = bobAndAna();
  ana.fc.conn.takeUpTo(5);
  bob.say(CUT);
  expect(ana.fc.read()).toEqual([]);
  return { c, bob, ana };
}

/**
 * As {@link bobAndAna}; then ana's socket takes nothing more, and bob's
 * "are you there?" does not reach it.
 */
function anaBehind(...args: Parameters<typeof setup>): { c: Context; bob: FakeClient; ana: V2 } {
  const { c, bob, ana } = bobAndAna(...args);
  ana.fc.conn.takeNothing();
  bob.say("are you there?");
  c.room.flush();
  expect(ana.fc.conn.text).not.toContain("are you there?");
  return { c, bob, ana };
}

describe("RESUME with a token that is no member's", () => {
  test("a wrong or unknown token is answered resumeFailed, and the connection can still join", () => {
    const { c, bob, ana } = bobAndAna();
    const [id] = ana.token.split(".");
    for (const token of [
      "nope",
      "0123456789abcdef.0123456789abcdef0123456789abcdef",
      `${id}.${"0".repeat(32)}`,
      `${id}.00`,
    ]) {
      const { fc, lines } = resumeWith(c, token, "-");
      expect(lines).toHaveLength(1);
      expect(isFailed(lines[0])).toBe(true);
      expect(fc.client.phase).toBe("naming");
    }
    const { fc } = resumeWith(c, "nope", "-");
    fc.say("cid");
    const welcome = parseTagged(fc.read()[0] as string);
    expect(welcome.tags.ev).toBe("welcome");
    expect(welcome.text).toBe(en.welcome("cid", 3, ["bob", "ana", "cid"]));
    // The real member was not disturbed.
    expect(ana.fc.client.phase).toBe("joined");
    expect(bob.read()).toEqual([en.joined("cid")]);
  });
});

describe("RESUME with the member's token", () => {
  test("after its connection closed: the same member, nobody told, what was said meanwhile once", () => {
    const { c, bob, ana } = bobAndAna();
    bob.say("before");
    seen(ana, ana.fc.read());
    ana.fc.closes();
    expect(ana.fc.client.phase).toBe("away");
    expect(c.room.names()).toEqual(["bob", "ana (away)"]);
    bob.say("/who");
    expect(bob.read()).toEqual([en.who(2, ["bob", "ana (away)"])]);
    bob.say("one", "two");
    const { fc, lines } = resumeWith(c, ana.token, ana.pos);
    const tagged = seen(ana, lines);
    expect(tagged.map((l) => l.text)).toEqual([
      en.resumed("ana"),
      chat("bob", "one"),
      chat("bob", "two"),
    ]);
    expect(tagged[0]?.tags).toMatchObject({ kind: "reply", ev: "resumed" });
    expect(tagged.slice(1).map((l) => l.tags.kind)).toEqual(["chat", "chat"]);
    expect(fc.client.name).toBe("ana");
    expect(fc.client.phase).toBe("joined");
    expect(c.room.find("ana")).toBe(fc.client);
    expect(c.room.names()).toEqual(["bob", "ana"]);
    expect(bob.read()).toEqual([]);
    // It goes on as the member: lines both ways, each once.
    bob.say("three");
    fc.say("back");
    expect(fc.read().map((l) => parseTagged(l).text)).toEqual([chat("bob", "three")]);
    expect(bob.read()).toEqual([chat("ana", "back")]);
  });

  test("the resumed line's position is the one shown; lines after it come, none before", () => {
    const { c, bob, ana } = bobAndAna();
    bob.say("1", "2", "3");
    const read = seen(ana, ana.fc.read());
    // The client showed only up to "2".
    const shown = read[1]?.tags.pos as string;
    ana.fc.closes();
    const { lines } = resumeWith(c, ana.token, shown);
    const tagged = lines.map(parseTagged);
    expect(tagged[0]?.tags.pos).toBe(shown);
    expect(tagged.map((l) => l.text)).toEqual([en.resumed("ana"), chat("bob", "3")]);
  });

  test("private lines sent while away come after the resume, in their place", () => {
    const { c, bob, ana } = bobAndAna();
    ana.fc.closes();
    bob.say("one", "/msg ana psst", "two", "/msg ana again");
    expect(bob.read()).toEqual([en.privateTo("ana", "psst"), en.privateTo("ana", "again")]);
    const { lines } = resumeWith(c, ana.token, ana.pos);
    expect(lines.map((l) => parseTagged(l).text)).toEqual([
      en.resumed("ana"),
      chat("bob", "one"),
      en.privateFrom("bob", "psst"),
      chat("bob", "two"),
      en.privateFrom("bob", "again"),
    ]);
  });

  test("a token is single-use: the old one fails, the new one works", () => {
    const { c, ana } = bobAndAna();
    const old = ana.token;
    ana.fc.closes();
    const first = resumeWith(c, old, ana.pos);
    seen(ana, first.lines);
    expect(ana.token).not.toBe(old);
    first.fc.closes();
    const again = resumeWith(c, old, ana.pos);
    expect(isFailed(again.lines[0])).toBe(true);
    const next = resumeWith(c, ana.token, ana.pos);
    expect(parseTagged(next.lines[0] as string).tags.ev).toBe("resumed");
    expect(next.fc.client.name).toBe("ana");
  });

  test("while the old connection still looks alive: the new one takes over, the old is closed", async () => {
    const { c, bob, ana } = bobAndAna();
    const { fc, lines } = resumeWith(c, ana.token, ana.pos);
    expect(parseTagged(lines[0] as string).tags.ev).toBe("resumed");
    expect(ana.fc.conn.terminations).toBe(1);
    await Promise.resolve();
    expect(ana.fc.client.phase).toBe("closed");
    expect(c.room.names()).toEqual(["bob", "ana"]);
    expect(c.room.connectionCount).toBe(2);
    bob.say("hi");
    expect(fc.read().map((l) => parseTagged(l).text)).toEqual([chat("bob", "hi")]);
    expect(bob.read()).toEqual([]);
  });

  test("a position from another epoch: one gap line (restart), then the lines kept", () => {
    const { c, bob, ana } = bobAndAna();
    ana.fc.closes();
    bob.say("meanwhile");
    const { lines } = resumeWith(c, ana.token, "0123456789abcdef.5");
    const tagged = lines.map(parseTagged);
    expect(tagged[1]?.tags).toMatchObject({
      kind: "gap",
      reason: "restart",
      first: formatPosition(c.room.log.epoch, c.room.log.first),
    });
    expect(tagged[1]?.text).toBe(en.missedRestart());
    expect(tagged.at(-1)?.text).toBe(chat("bob", "meanwhile"));
  });

  test("no position shown ('-') and the window passed its place while away: one gap line says how many", () => {
    const { c, bob, ana } = bobAndAna({ windowBytes: 2048 });
    ana.fc.closes();
    const said = Array.from({ length: 200 }, (_, i) => `line ${i}`);
    for (const line of said) {
      bob.say(line);
      c.room.flush();
    }
    expect(c.room.log.first).toBeGreaterThan(0);
    const { lines } = resumeWith(c, ana.token, "-");
    const tagged = lines.map(parseTagged);
    expect(tagged[0]?.tags).toMatchObject({ kind: "reply", ev: "resumed" });
    const gap = tagged[1];
    expect(gap?.tags).toMatchObject({ kind: "gap", reason: "too-old" });
    const n = Number(gap?.tags.n);
    expect(gap?.text).toBe(en.missedLines(n));
    // What it missed and what it reads add up to what was said, each line once.
    expect(tagged.slice(2).map((l) => l.text)).toEqual(said.slice(n).map((l) => chat("bob", l)));
    expect(n).toBeGreaterThan(0);
  });

  test("'-' after missing lines both before and while away: one gap line counts them all", () => {
    const { c, bob, ana } = anaBehind({ windowBytes: 2048 });
    const said = ["are you there?", ...Array.from({ length: 400 }, (_, i) => `line ${i}`)];
    const sayAll = (lines: readonly string[]) => {
      for (const line of lines) {
        bob.say(line);
        c.room.flush();
      }
    };
    sayAll(said.slice(1, 201));
    // Behind while connected: its socket is tried again, and a missed-lines line waits for it.
    ana.fc.drain(false);
    expect(ana.fc.client.queue?.[0]?.missed).toBeGreaterThan(0);
    ana.fc.closes();
    sayAll(said.slice(201));
    const { lines } = resumeWith(c, ana.token, "-");
    const tagged = lines.map(parseTagged);
    expect(tagged[0]?.tags).toMatchObject({ kind: "reply", ev: "resumed" });
    expect(tagged.filter((l) => l.tags.kind === "gap")).toHaveLength(1);
    const n = Number(tagged[1]?.tags.n);
    expect(tagged[1]?.text).toBe(en.missedLines(n));
    expect(tagged.slice(2).map((l) => l.text)).toEqual(said.slice(n).map((l) => chat("bob", l)));
  });
});

describe("away, and gone", () => {
  test("the grace ends without a resume: the room is told once that it left; the token is void", () => {
    jest.useFakeTimers();
    const { c, bob, ana } = bobAndAna({ resumeGraceMs: 5_000 });
    ana.fc.closes();
    jest.advanceTimersByTime(4_999);
    expect(bob.read()).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(bob.read()).toEqual([en.left("ana")]);
    expect(c.room.names()).toEqual(["bob"]);
    expect(c.room.isFree("ana")).toBe(true);
    const { lines } = resumeWith(c, ana.token, ana.pos);
    expect(isFailed(lines[0])).toBe(true);
  });

  test("/quit leaves at once, and its token no longer resumes", () => {
    const { c, bob, ana } = bobAndAna();
    ana.fc.say("/quit");
    expect(bob.read()).toEqual([en.left("ana")]);
    const { lines } = resumeWith(c, ana.token, ana.pos);
    expect(isFailed(lines[0])).toBe(true);
  });

  test("its peer ended its input without /quit (a FIN, not a reset): away, and it resumes", async () => {
    const { c, bob, ana } = bobAndAna();
    seen(ana, ana.fc.read());
    ana.fc.send("last words");
    ana.fc.peerEnds();
    // Its last line is said; nobody is told it left.
    expect(bob.read()).toEqual([chat("ana", "last words")]);
    expect(ana.fc.client.phase).toBe("away");
    await Promise.resolve();
    expect(c.room.names()).toEqual(["bob", "ana (away)"]);
    const { fc, lines } = resumeWith(c, ana.token, ana.pos);
    expect(parseTagged(lines[0] ?? "").tags.ev).toBe("resumed");
    expect(c.room.find("ana")).toBe(fc.client);
    expect(bob.read()).toEqual([]);
  });

  test("a v1 member has no token: its close is a leave, at once", () => {
    const c = setup();
    const bob = join(c, "bob");
    const cid = join(c, "cid");
    bob.read();
    cid.closes();
    expect(bob.read()).toEqual([en.left("cid")]);
  });

  test("a member that was behind when its connection closed can still resume within the grace", () => {
    jest.useFakeTimers();
    const { c, ana } = anaBehind({ behindTimeoutMs: 10_000, resumeGraceMs: 60_000 });
    // Its network goes away while it is behind.
    ana.fc.closes();
    expect(ana.fc.client.phase).toBe("away");
    // The read-timeout sweep runs meanwhile: an away member is not a connection to close.
    jest.advanceTimersByTime(10_000 + 2 * FANOUT.sweepMs);
    expect(ana.fc.client.phase).toBe("away");
    expect(c.room.names()).toEqual(["bob", "ana (away)"]);
    const { lines } = resumeWith(c, ana.token, ana.pos);
    expect(lines.map((l) => parseTagged(l).text)).toEqual([
      en.resumed("ana"),
      chat("bob", "are you there?"),
    ]);
  });

  test("a member that was behind when its connection closed leaves when the grace ends", () => {
    jest.useFakeTimers();
    const { c, bob, ana } = anaBehind({ behindTimeoutMs: 10_000, resumeGraceMs: 30_000 });
    ana.fc.closes();
    jest.advanceTimersByTime(30_000);
    expect(bob.read()).toEqual([en.left("ana")]);
    expect(c.room.names()).toEqual(["bob"]);
  });

  test("a v2 member behind that takes nothing for the read timeout is away, not gone", () => {
    jest.useFakeTimers();
    const { c, bob, ana } = anaBehind({ behindTimeoutMs: 10_000 });
    jest.advanceTimersByTime(10_000 + FANOUT.sweepMs);
    expect(ana.fc.conn.terminations).toBe(1);
    expect(ana.fc.client.phase).toBe("away");
    expect(bob.read()).toEqual([]);
    expect(c.room.names()).toEqual(["bob", "ana (away)"]);
    const { lines } = resumeWith(c, ana.token, ana.pos);
    expect(lines.map((l) => parseTagged(l).text)).toEqual([
      en.resumed("ana"),
      chat("bob", "are you there?"),
    ]);
  });
});

describe("a member away that is removed, cut mid-line, or asks for too early a position", () => {
  test("removed by an operator while away: its token fails, and no nameless member is left", () => {
    const c = setup({ opPassword: "op" });
    const bob = join(c, "bob");
    bob.say("/op op");
    const ana = joinV2(c, "ana");
    ana.fc.closes();
    expect(ana.fc.client.phase).toBe("away");
    bob.read();
    bob.say("/kick ana");
    expect(bob.read()).toEqual([en.kicked("ana", "bob")]);
    const { fc, lines } = resumeWith(c, ana.token, ana.pos);
    expect(lines).toHaveLength(1);
    expect(isFailed(lines[0])).toBe(true);
    expect(fc.client.phase).toBe("naming");
    expect(fc.client.name).toBe("");
    expect(c.room.names()).toEqual(["bob"]);
    expect(c.room.memberCount).toBe(1);
    bob.say("/who");
    expect(bob.read()).toEqual([en.who(1, ["@bob"])]);
    // The connection is at the door: what it says next is a name, and "ana" is free.
    fc.say("ana");
    expect(parseTagged(fc.read()[0] as string).tags.ev).toBe("welcome");
    expect(bob.read()).toEqual([en.joined("ana")]);
  });

  test("its socket stopped inside a room line: after the resume each line comes once and whole", () => {
    const { c, bob, ana } = bobAndAna();
    // The kernel buffer takes 30 bytes: the first line is cut well inside.
    ana.fc.conn.takeUpTo(30);
    bob.say("first line is long enough to be cut somewhere", "second");
    expect(seen(ana, ana.fc.read())).toEqual([]);
    expect(ana.fc.conn.text.endsWith("\n")).toBe(false);
    ana.fc.closes();
    const { lines } = resumeWith(c, ana.token, ana.pos);
    const tagged = seen(ana, lines);
    expect(tagged.map((l) => l.text)).toEqual([
      en.resumed("ana"),
      chat("bob", "first line is long enough to be cut somewhere"),
      chat("bob", "second"),
    ]);
    expect(tagged.slice(1).map((l) => l.tags.kind)).toEqual(["chat", "chat"]);
    expect(lines.every((l) => l.startsWith("@"))).toBe(true);
  });

  test("cut inside a room line, resumed with '-': that line comes whole, then the rest", () => {
    const { c, bob, ana } = anaCutInside();
    ana.fc.closes();
    bob.say("meanwhile");
    const { lines } = resumeWith(c, ana.token, "-");
    expect(lines.map((l) => parseTagged(l).text)).toEqual([
      en.resumed("ana"),
      chat("bob", CUT),
      chat("bob", "meanwhile"),
    ]);
  });

  test("cut inside a line, then written to while closed before its close event: '-' still has it whole", () => {
    const { c, bob, ana } = anaCutInside();
    // Its socket is closed under it; a drain tries the rest of the cut line, and a private line
    // comes for it, before the close event.
    ana.fc.conn.gone();
    ana.fc.drain(false);
    bob.say("/msg ana hi");
    c.room.flush();
    ana.fc.closes();
    bob.say("meanwhile");
    const { lines } = resumeWith(c, ana.token, "-");
    expect(lines.map((l) => parseTagged(l).text)).toEqual([
      en.resumed("ana"),
      chat("bob", CUT),
      en.privateFrom("bob", "hi"),
      chat("bob", "meanwhile"),
    ]);
  });

  test("its socket was closed before its close event came: '-' goes on from the last line it took", () => {
    const { c, bob, ana } = bobAndAna();
    bob.say("seen");
    expect(ana.fc.read().map((l) => parseTagged(l).text)).toEqual([chat("bob", "seen")]);
    // Writes now answer -1 (the socket is closed), and its close event is still on its way.
    ana.fc.conn.gone();
    bob.say("lost?");
    c.room.flush();
    ana.fc.closes();
    bob.say("meanwhile");
    const { lines } = resumeWith(c, ana.token, "-");
    expect(lines.map((l) => parseTagged(l).text)).toEqual([
      en.resumed("ana"),
      chat("bob", "lost?"),
      chat("bob", "meanwhile"),
    ]);
  });

  test("closed while behind, before its close event came: '-' reads what it did not take, no gap", () => {
    const { c, bob, ana } = anaBehind();
    ana.fc.conn.gone();
    bob.say("lost?");
    c.room.flush();
    ana.fc.drain(false);
    ana.fc.closes();
    const { lines } = resumeWith(c, ana.token, "-");
    expect(lines.map((l) => parseTagged(l).text)).toEqual([
      en.resumed("ana"),
      chat("bob", "are you there?"),
      chat("bob", "lost?"),
    ]);
  });

  test("a private line part-written to the old connection comes whole after the resume", () => {
    const { c, bob, ana } = bobAndAna();
    ana.fc.conn.takeUpTo(30);
    bob.say("/msg ana this is a private line that gets cut");
    expect(ana.fc.read()).toEqual([]);
    expect(ana.fc.conn.text.endsWith("\n")).toBe(false);
    ana.fc.closes();
    const { lines } = resumeWith(c, ana.token, ana.pos);
    const tagged = lines.map(parseTagged);
    expect(tagged.map((l) => l.text)).toEqual([
      en.resumed("ana"),
      en.privateFrom("bob", "this is a private line that gets cut"),
    ]);
    expect(tagged[1]?.tags).toMatchObject({ kind: "reply", ev: "privateFrom" });
  });

  test("a position before where it joined (in a turn nobody here read): no error, nothing from before", () => {
    const c = setup();
    const alice = join(c, "alice");
    alice.say("hi");
    c.room.flush();
    // Its leave is a turn with nobody in the room to read it.
    alice.say("/quit");
    c.room.flush();
    const bea = joinV2(c, "bea");
    bea.fc.closes();
    const { fc, lines } = resumeWith(c, bea.token, formatPosition(c.room.log.epoch, 1));
    expect(lines.map((l) => parseTagged(l).text)).toEqual([en.resumed("bea")]);
    expect(fc.conn.terminations).toBe(0);
    expect(fc.client.phase).toBe("joined");
    expect(c.room.find("bea")).toBe(fc.client);
    // It goes on reading the room.
    const cid = join(c, "cid");
    cid.say("hello");
    expect(fc.read().map((l) => parseTagged(l).text)).toEqual([
      en.joined("cid"),
      chat("cid", "hello"),
    ]);
  });

  test("at most --max-clients members are away at once; past that a vanishing member leaves at once", () => {
    const c = setup({ maxClients: 3, resumeGraceMs: 5_000 });
    const bob = join(c, "bob");
    const ana = joinV2(c, "ana");
    ana.fc.closes();
    const cid = joinV2(c, "cid");
    cid.fc.closes();
    const eve = joinV2(c, "eve");
    eve.fc.closes();
    expect([ana, cid, eve].map((m) => m.fc.client.phase)).toEqual(["away", "away", "away"]);
    // Its way back is never refused for them: a connection comes in as anyone does.
    const dee = joinV2(c, "dee");
    bob.read();
    dee.fc.closes();
    // Three away already (the cap): dee leaves at once, announced as before.
    expect(dee.fc.client.phase).toBe("closed");
    expect(bob.read()).toContain(en.left("dee"));
  });
});
