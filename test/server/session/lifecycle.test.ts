import { describe, expect, jest, test } from "bun:test";
import { chat, clock, SERVER_TEXT } from "../../../src/protocol/messages.ts";
import { PASSWORD_PENALTY } from "../../../src/server/admission/addresses.ts";
import { FANOUT } from "../../../src/server/room/fanout.ts";
import { Hold } from "../../../src/server/session/input.ts";
import { failed } from "../../../src/server/session/lifecycle.ts";
import { contextPerTest, join, open, turn } from "../../support/fakes.ts";

const en = SERVER_TEXT.en;
const pt = SERVER_TEXT.pt;
const setup = contextPerTest();

describe("the door", () => {
  test("a new connection is greeted in the server's language, or its own", () => {
    const c = setup({ lang: "pt" });
    expect(open(c).read()).toEqual([pt.greeting()]);
    expect(open(c, { lang: "en" }).read()).toEqual([en.greeting()]);
  });

  test("past the cap per address, or past maxClients, a connection is told why and shut", () => {
    const c = setup({ maxPerAddress: 1, maxClients: 2 });
    expect(open(c, { address: "10.0.0.1" }).admitted).toBe(true);
    const twin = open(c, { address: "10.0.0.1" });
    expect(twin.admitted).toBe(false);
    expect(twin.conn.lines()).toEqual([en.tooManyFromAddress()]);
    expect(twin.conn.shutdowns).toBe(1);
    expect(open(c, { address: "10.0.0.2" }).admitted).toBe(true);
    const third = open(c, { address: "10.0.0.3" });
    expect(third.conn.lines()).toEqual([en.serverFull()]);
    expect(c.room.connectionCount).toBe(2);
    // The refused one is not counted against its address.
    third.client.clearTimer();
    twin.client.clearTimer();
  });
});

describe("a room with a password", () => {
  test("the password comes first; a wrong one's answer is held, a right one is answered at once", () => {
    jest.useFakeTimers();
    const c = setup({ roomPassword: "door" });
    const ana = open(c);
    expect(ana.read()).toEqual([en.greetingPassword()]);
    ana.say("ana", "door", "ana");
    // The wrong answer is held for the penalty, and the lines after it with it.
    expect(ana.read()).toEqual([]);
    expect(ana.client.phase).toBe("password");
    jest.advanceTimersByTime(PASSWORD_PENALTY.firstMs);
    const lines = ana.read();
    expect(lines.slice(0, 3)).toEqual([
      en.wrongPassword(),
      en.passwordAccepted(),
      en.welcome("ana", 1, ["ana"]),
    ]);
    expect(ana.client.phase).toBe("joined");
    // A classmate behind the same address with the right password is not held.
    const bia = open(c, { address: "127.0.0.1" });
    bia.read();
    bia.say("door");
    expect(bia.read()).toEqual([en.passwordAccepted()]);
  });

  test("the time to choose a name stops while others' wrong answers hold the address, not for one's own", () => {
    jest.useFakeTimers();
    const c = setup({ roomPassword: "door", nameTimeoutMs: 1000 });
    const ana = open(c, { address: "10.9.9.9" });
    ana.read();
    jest.advanceTimersByTime(850);
    // Four classmates behind the same address guess wrong: the address is full of held answers.
    for (let i = 0; i < PASSWORD_PENALTY.heldPerAddress; i++) {
      open(c, { address: "10.9.9.9" }).say("wrong");
    }
    jest.advanceTimersByTime(50);
    // The right password waits for the first held answer to end (200 ms), off the clock...
    ana.say("door");
    jest.advanceTimersByTime(199);
    expect(ana.read()).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(ana.read()).toEqual([en.passwordAccepted()]);
    expect(ana.client.phase).toBe("naming");
    // ...which goes on afterwards with the 100 ms that were left.
    jest.advanceTimersByTime(99);
    expect(ana.read()).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(ana.read()).toEqual([en.nameTimeout(1)]);
  });

  test("a connection that only guesses still runs out of time", () => {
    jest.useFakeTimers();
    const c = setup({ roomPassword: "door", nameTimeoutMs: 1000 });
    const ana = open(c);
    ana.read();
    for (let i = 0; i < 4; i++) ana.say("wrong");
    jest.advanceTimersByTime(1000);
    expect(ana.read()).toEqual([en.wrongPassword(), en.wrongPassword(), en.nameTimeout(1)]);
  });

  test("/lang, /help and /quit work before the password; other commands do not", () => {
    jest.useFakeTimers();
    const c = setup({ roomPassword: "door" });
    const ana = open(c);
    ana.read();
    ana.say("/lang pt", "/who", "");
    expect(ana.read()).toEqual([pt.language()]);
    jest.advanceTimersByTime(PASSWORD_PENALTY.firstMs);
    expect(ana.read()).toEqual([pt.wrongPassword()]);
    ana.say("/quit");
    expect(ana.read()).toEqual([pt.bye()]);
    expect(ana.client.phase).toBe("ending");
  });
});

describe("choosing a name", () => {
  test("invalid, taken and blank names, and commands before a name", () => {
    const c = setup();
    join(c, "bob");
    const ana = open(c);
    ana.read();
    ana.say("", "two words", "-", "x".repeat(25), "BOB", "/who", "/help");
    expect(ana.read()).toEqual([
      en.invalidName("bad-chars"),
      en.invalidName("no-letter"),
      en.invalidName("too-long"),
      en.nameTaken("BOB"),
      en.nameFirst(),
      ...en.help("no-operators"),
    ]);
    expect(ana.client.phase).toBe("naming");
  });

  test("a line too long is refused, and the next line is read as usual", () => {
    const c = setup({ maxLineBytes: 16 });
    const ana = open(c);
    ana.read();
    ana.say("a".repeat(40), "ana");
    expect(ana.read().slice(0, 2)).toEqual([en.lineTooLong(), en.welcome("ana", 1, ["ana"])]);
  });

  test("no name within the timeout: told, and closed", () => {
    jest.useFakeTimers();
    const c = setup({ nameTimeoutMs: 1000 });
    const ana = open(c);
    const bob = open(c);
    bob.say("bob");
    ana.read();
    jest.advanceTimersByTime(999);
    expect(ana.read()).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(ana.read()).toEqual([en.nameTimeout(1)]);
    expect(ana.client.phase).toBe("ending");
    expect(ana.conn.shutdowns).toBe(1);
    // A member who named itself in time stays.
    expect(bob.client.phase).toBe("joined");
  });
});

describe("joining", () => {
  test("welcome, limits, topic and the room's last lines, timed; the others read the join", () => {
    const at = new Date(2026, 0, 5, 9, 7).getTime();
    const c = setup({ rateLimit: 5, rateBurst: 10 }, { clock: () => at });
    const bob = join(c, "bob");
    c.room.topic = "exams";
    bob.say("hi there", "/me waves");
    const ana = open(c);
    ana.say("ana");
    expect(ana.read()).toEqual([
      en.greeting(),
      en.welcome("ana", 2, ["bob", "ana"]),
      en.limits(c.config.maxLineBytes, 5, 10),
      en.topic("exams"),
      en.history(clock(at), chat("bob", "hi there")),
      en.history(clock(at), "* <bob> waves"),
    ]);
    expect(clock(at)).toBe("09:07");
    expect(bob.read()).toEqual([en.joined("ana")]);
  });

  test("the replay is the newest lines that fit in half of a newcomer's cap", async () => {
    const c = setup({ maxQueueBytes: 2048, historyLines: 50 });
    const bob = join(c, "bob");
    const said = Array.from(
      { length: 20 },
      (_, i) => `${String(i).padStart(2, "0")} ${"z".repeat(90)}`,
    );
    bob.say(...said);
    // The turns fill up: bob's lines take a few.
    for (let i = 0; i < 20 && c.waiting.clients.size > 0; i++) await turn();
    expect(c.room.history()).toHaveLength(20);
    const ana = open(c);
    ana.say("ana");
    const replayed = ana.read().filter((l) => l.startsWith("[history"));
    const bytes = replayed.reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0);
    expect(bytes).toBeLessThanOrEqual(1024);
    expect(replayed.length).toBeGreaterThan(5);
    expect(replayed.length).toBeLessThan(20);
    const newest = said.slice(-replayed.length);
    expect(replayed.map((l) => l.slice(l.indexOf("] ") + 2))).toEqual(
      newest.map((l) => chat("bob", l)),
    );
  });
});

describe("leaving", () => {
  test("closed() forgets the client everywhere: room, names, address count, waiting turns", () => {
    const c = setup({ maxPerAddress: 1 });
    const ana = join(c, "ana", { address: "10.7.7.7" });
    const bob = join(c, "bob");
    ana.read();
    // Its input is held (its own replies unread): the line waits, never acted on.
    ana.client.hold(Hold.Owed);
    ana.say("never");
    ana.closes();
    expect(bob.read()).toEqual([en.left("ana")]);
    expect(c.room.connectionCount).toBe(1);
    expect(c.room.isFree("ana")).toBe(true);
    expect(c.waiting.clients.has(ana.client)).toBe(false);
    expect(ana.client.phase).toBe("closed");
    expect(open(c, { address: "10.7.7.7" }).admitted).toBe(true);
    // A second close report changes nothing.
    ana.closes();
    expect(bob.read()).toEqual([]);
  });

  test("a goodbye to a reader with a backlog waits for its drain, then shuts our side", () => {
    const c = setup();
    const ana = join(c, "ana");
    ana.conn.takeNothing();
    ana.say("/quit");
    expect(ana.client.phase).toBe("closing");
    expect(c.room.owes(ana.client)).toBe(true);
    expect(ana.conn.shutdowns).toBe(0);
    ana.drain();
    expect(ana.conn.read().slice(-1)).toEqual([en.bye()]);
    expect(ana.client.phase).toBe("ending");
    expect(ana.conn.shutdowns).toBe(1);
  });

  test("a handler that threw cuts only its own connection", async () => {
    const c = setup();
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    failed(c, ana.client, new Error("boom"));
    expect(ana.conn.terminations).toBe(1);
    await Promise.resolve();
    expect(ana.client.phase).toBe("closed");
    expect(ana.client.endReason).toBe("internal error: boom");
    expect(bob.read()).toEqual([en.left("ana")]);
  });
});

describe("slow readers", () => {
  test("a reader that takes nothing holds nobody back, is never evicted for it, and catches up", async () => {
    const c = setup({ maxQueueBytes: 4096 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    const cid = join(c, "cid");
    ana.read();
    bob.read();
    bob.conn.takeNothing();
    const lines = Array.from({ length: 80 }, (_, i) => `${i} ${"w".repeat(100)}`);
    ana.say(...lines);
    for (let i = 0; i < 20 && c.waiting.clients.size > 0; i++) await turn();
    await turn();
    // ana was never held for bob; cid read everything; bob holds a position, not a copy.
    expect(ana.client.holds).toBe(0);
    expect(cid.read()).toEqual(lines.map((l) => chat("ana", l)));
    expect(bob.client.phase).toBe("joined");
    expect(bob.client.queuedBytes).toBe(0);
    bob.drain();
    expect(bob.read()).toEqual(lines.map((l) => chat("ana", l)));
    expect(c.room.names()).toEqual(["ana", "bob", "cid"]);
  });

  test("a reader behind past the window is told how many lines it missed, in its language", async () => {
    const c = setup({ maxQueueBytes: 4096, windowBytes: 2048 });
    const ana = join(c, "ana");
    const bia = join(c, "bia", { lang: "pt" });
    ana.read();
    bia.conn.takeNothing();
    const lines = Array.from(
      { length: 60 },
      (_, i) => `${String(i).padStart(2, "0")} ${"w".repeat(100)}`,
    );
    ana.say(...lines);
    for (let i = 0; i < 20 && c.waiting.clients.size > 0; i++) await turn();
    await turn();
    bia.drain();
    const got = bia.read();
    const kept = got.slice(1);
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBeLessThan(60);
    expect(got[0]).toBe(pt.missedLines(60 - kept.length));
    expect(kept).toEqual(lines.slice(60 - kept.length).map((l) => chat("ana", l)));
  });

  test("a reader behind that takes nothing for --behind-timeout is closed; the others read why", async () => {
    jest.useFakeTimers();
    const c = setup({ behindTimeoutMs: 10_000 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    const cid = join(c, "cid");
    ana.read();
    cid.read();
    bob.conn.takeNothing();
    ana.say("are you there?");
    expect(cid.read()).toEqual([chat("ana", "are you there?")]);
    jest.advanceTimersByTime(10_000);
    expect(bob.client.phase).toBe("joined");
    jest.advanceTimersByTime(FANOUT.sweepMs);
    expect(bob.client.endReason).toBe("not reading");
    expect(bob.conn.terminations).toBe(1);
    await Promise.resolve();
    expect(bob.client.phase).toBe("closed");
    expect(cid.read()).toEqual([en.leftNotReading("bob")]);
    expect(ana.read()).toEqual([en.leftNotReading("bob")]);
    expect(c.room.names()).toEqual(["ana", "cid"]);
  });

  test("a reader that was behind once and caught up is not closed later for being quiet", async () => {
    jest.useFakeTimers();
    const c = setup({ behindTimeoutMs: 10_000 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    bob.conn.takeNothing();
    ana.say("a burst");
    bob.read();
    jest.advanceTimersByTime(1_000);
    bob.drain();
    expect(bob.read()).toEqual([chat("ana", "a burst")]);
    // It reads everything from now on; nobody says anything for a while.
    jest.advanceTimersByTime(30_000);
    expect(bob.client.endReason).toBe("");
    expect(bob.client.phase).toBe("joined");
    expect(ana.read()).toEqual([]);
  });
});
