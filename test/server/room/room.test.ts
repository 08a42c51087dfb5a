import { afterEach, describe, expect, jest, test } from "bun:test";
import type { Lang } from "../../../src/protocol/lang.ts";
import { action, chat, SERVER_TEXT, say } from "../../../src/protocol/messages.ts";
import type { Spoken } from "../../../src/server/room/dialects.ts";
import { FANOUT } from "../../../src/server/room/fanout.ts";
import type { Here, Peers } from "../../../src/server/room/peers.ts";
import { Room, type RoomLimits } from "../../../src/server/room/room.ts";
import { FakeMember } from "../../support/fakes.ts";

const en = SERVER_TEXT.en;
const pt = SERVER_TEXT.pt;

afterEach(() => {
  jest.useRealTimers();
});

/** What `name` says: its v1 chat line as the room is given it. */
const said = (name: string, text: string): Spoken => ({
  kind: "chat",
  from: name,
  text: chat(name, text),
});

function setup(limits: Partial<RoomLimits> = {}, clock = () => 0) {
  const stalled: FakeMember[] = [];
  const relieved: FakeMember[] = [];
  const failures: Array<[FakeMember, unknown]> = [];
  const errors: Array<[string, unknown]> = [];
  const hooks = {
    stalled: (ms: readonly FakeMember[]) => {
      stalled.push(...ms);
    },
    relieved: (m: FakeMember) => {
      relieved.push(m);
    },
    missed: (m: FakeMember, count: number) => SERVER_TEXT[m.lang].missedLines(count),
    failed: (m: FakeMember, error: unknown) => {
      failures.push([m, error]);
    },
    error: (where: string, error: unknown) => {
      errors.push([where, error]);
    },
  };
  const room = new Room<FakeMember>(
    {
      maxClients: 100,
      announceMax: 100,
      turnBytes: 1 << 20,
      queueBytes: 4000,
      windowBytes: 1 << 20,
      behindTimeoutMs: 0,
      historyLines: 5,
      ...limits,
    },
    hooks,
    clock,
  );
  let hosts = 0;
  /** A connection accepted and joined as `name`, the turn delivered and its lines read. */
  const member = (name: string, lang: Lang = "en") => {
    const m = new FakeMember(`10.0.0.${++hosts}`, lang);
    expect(room.accept(m)).toBe(true);
    expect(room.join(m, name)).toBe(true);
    room.flush();
    m.read();
    return m;
  };
  /** Deliver the turn, then every member's fresh lines. */
  const read = (...members: FakeMember[]) => {
    room.flush();
    return members.map((m) => m.read());
  };
  return { room, member, read, stalled, relieved, failures, errors, hooks };
}

/** Every Peers call, as [method, ...args]. */
function recordingPeers(): Peers & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  const record =
    (method: string) =>
    (...args: unknown[]) => {
      calls.push([method, ...args]);
    };
  return {
    calls,
    ordered: false,
    busy: false,
    keepToken: record("keepToken"),
    dropToken: record("dropToken"),
    takeToken: async () => null,
    giveBack: record("giveBack"),
    movedHere: record("movedHere"),
    said: record("said"),
    announced: record("announced"),
    joined: record("joined"),
    left: record("left"),
    renamed: record("renamed"),
    whisper: record("whisper"),
    remove: record("remove"),
    ban: record("ban"),
    unban: record("unban"),
    topic: record("topic"),
    claim: async () => true,
    unclaim: record("unclaim"),
  };
}

describe("joining and leaving", () => {
  test("the others read a join; the newcomer reads nothing of its own", () => {
    const { member, read } = setup();
    const ana = member("ana");
    const bob = member("bob");
    expect(read(ana, bob)).toEqual([[en.joined("bob")], []]);
  });

  test("a member who leaves is announced once, however often leave is called", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const bob = member("bob");
    read(ana);
    room.leave(bob, { kind: "left", reason: "dinner" });
    room.leave(bob);
    room.drop(bob);
    expect(read(ana, bob)).toEqual([[en.left("bob", "dinner")], []]);
    expect(room.memberCount).toBe(1);
    expect(room.connectionCount).toBe(1);
    expect(room.isFree("bob")).toBe(true);
  });

  test("each way of leaving has its own notice, or none", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const [bob, cid, dan] = [member("bob"), member("cid"), member("dan")];
    read(ana);
    room.leave(bob, { kind: "stalled" });
    room.leave(cid, { kind: "removed", notice: say("kicked", "cid", "ana", "spam") });
    room.leave(dan, { kind: "quietly" });
    expect(read(ana)).toEqual([[en.leftNotReading("bob"), en.kicked("cid", "ana", "spam")]]);
  });

  test("a connection that never joined leaves nothing to announce", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const stranger = new FakeMember("10.9.9.9");
    room.accept(stranger);
    room.leave(stranger);
    room.drop(stranger);
    expect(read(ana)).toEqual([[]]);
    expect(room.connectionCount).toBe(1);
  });

  test("the server is full at maxClients connections, named or not", () => {
    const { room } = setup({ maxClients: 2 });
    expect(room.accept(new FakeMember("a"))).toBe(true);
    const b = new FakeMember("b");
    expect(room.accept(b)).toBe(true);
    expect(room.accept(new FakeMember("c"))).toBe(false);
    room.drop(b);
    expect(room.accept(new FakeMember("c"))).toBe(true);
  });
});

describe("names", () => {
  test("a name is taken in any case and by any look-alike spelling", () => {
    const { room, member } = setup();
    member("ana");
    member("José");
    const other = new FakeMember("10.1.1.1");
    room.accept(other);
    for (const lookAlike of ["ana", "ANA", "\u0430na" /* Cyrillic а */, "ａｎａ", "Jose\u0301"]) {
      expect(room.isFree(lookAlike)).toBe(false);
      expect(room.join(other, lookAlike)).toBe(false);
    }
    expect(room.join(other, "anna")).toBe(true);
    expect(room.find("ANNA")).toBe(other);
  });

  test("a rename is read by everyone, the renamed member too, and frees the old name", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const bob = member("bob");
    read(ana);
    expect(room.rename(bob, "robert")).toBe("ok");
    expect(read(ana, bob)).toEqual([[en.renamed("bob", "robert")], [en.renamed("bob", "robert")]]);
    expect(room.isFree("bob")).toBe(true);
    expect(room.find("robert")).toBe(bob);
  });

  test("a member renamed, or resumed on a new connection, frees the name it holds when it goes", () => {
    const { room, member } = setup();
    const bob = member("bob");
    room.rename(bob, "Róbert");
    room.drop(bob);
    expect(room.isFree("robert")).toBe(true);
    expect(room.isFree("bob")).toBe(true);
    const cy = member("cy");
    room.suspend(cy);
    const cy2 = new FakeMember("10.0.0.99");
    room.accept(cy2);
    room.resume(cy, cy2, cy.next, []);
    expect(room.isFree("CY")).toBe(false);
    room.drop(cy2);
    expect(room.isFree("CY")).toBe(true);
  });

  test("a rename to a name someone holds is refused; a new spelling of one's own is not", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const bob = member("bob");
    read(ana);
    expect(room.rename(bob, "\u0430na")).toBe("taken");
    expect(bob.name).toBe("bob");
    expect(room.rename(bob, "Bob")).toBe("ok");
    expect(read(ana)).toEqual([[en.renamed("bob", "Bob")]]);
  });
});

describe("a crowded room (--announce-max)", () => {
  test("joins and leaves past announceMax members are silent; operators' removals are not", () => {
    const { room, member, read } = setup({ announceMax: 2 });
    const ana = member("ana");
    const bob = member("bob");
    expect(read(ana)).toEqual([[en.joined("bob")]]);
    const cid = member("cid");
    const dan = member("dan");
    expect(read(ana, bob)).toEqual([[], []]);
    room.leave(cid);
    room.leave(dan, { kind: "stalled" });
    // Crowded is judged before the member leaves: 3 > 2 while dan left.
    expect(read(ana)).toEqual([[]]);
    room.leave(bob, { kind: "removed", notice: say("banned", "bob", "ana") });
    expect(read(ana)).toEqual([[en.banned("bob", "ana")]]);
  });
});

describe("lines and history", () => {
  test("a member's line reaches everyone else, not the sender", () => {
    const { room, member, read } = setup();
    const [ana, bob, cid] = [member("ana"), member("bob"), member("cid")];
    read(ana, bob);
    room.say(ana, said("ana", "hi"));
    room.announce("* a line for all");
    expect(read(ana, bob, cid)).toEqual([
      ["* a line for all"],
      ["<ana> hi", "* a line for all"],
      ["<ana> hi", "* a line for all"],
    ]);
  });

  test("lines said are remembered with their time, at most historyLines of them", () => {
    let now = 1000;
    const { room, member } = setup({ historyLines: 3 }, () => now);
    const ana = member("ana");
    const seqs: number[] = [];
    for (const n of [1, 2, 3, 4]) {
      now += 10;
      seqs.push(room.log.next);
      room.say(ana, said("ana", String(n)));
    }
    room.announce("* not remembered");
    const heardAt = room.log.next;
    const epoch = room.log.epoch;
    room.heard("* <zoe> from elsewhere", 5);
    // Each with its position in the log: the announcement took one too.
    expect(room.history()).toEqual([
      { at: 1030, line: "<ana> 3", from: "ana", pos: { epoch, seq: seqs[2] as number } },
      { at: 1040, line: "<ana> 4", from: "ana", pos: { epoch, seq: seqs[3] as number } },
      { at: 5, line: action("zoe", "from elsewhere"), from: "zoe", pos: { epoch, seq: heardAt } },
    ]);
    expect(heardAt).toBe((seqs[3] as number) + 2);
  });

  test("historyLines 0 remembers nothing", () => {
    const { room, member } = setup({ historyLines: 0 });
    room.say(member("ana"), said("ana", "hi"));
    expect(room.history()).toEqual([]);
  });

  test("the topic is set for everyone and announced", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const bob = member("bob");
    read(ana);
    room.setTopic("ana", "exams");
    expect(room.topic).toBe("exams");
    expect(read(ana, bob)).toEqual([[en.topicSet("ana", "exams")], [en.topicSet("ana", "exams")]]);
  });
});

describe("languages", () => {
  test("each member reads notices in its language; chat is never translated", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const bia = member("bia", "pt");
    read(ana);
    member("cid");
    room.say(ana, said("ana", "oi"));
    expect(read(ana, bia)).toEqual([[en.joined("cid")], [pt.joined("cid"), "<ana> oi"]]);
  });

  test("setLang: lines written before it stay as they were; from its turn on, the new language", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const bob = member("bob");
    read(ana);
    room.rename(bob, "bobby");
    expect(read(ana)).toEqual([[en.renamed("bob", "bobby")]]);
    room.rename(bob, "bob");
    room.setLang(ana, "pt");
    room.leave(bob);
    // NOTE: a line of the same turn that was not written yet is encoded in the new language too.
    expect(read(ana)).toEqual([[pt.renamed("bobby", "bob"), pt.left("bob")]]);
    expect(ana.lang).toBe("pt");
  });

  test("setLang for a member behind: what it is owed comes in the new language when kept in it", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const bia = member("bia", "pt");
    const cid = member("cid");
    read(ana, bia);
    ana.conn.takeNothing();
    room.leave(cid);
    room.flush();
    room.setLang(ana, "pt");
    ana.conn.takeAll();
    room.drained(ana);
    // The turn was kept in Portuguese for bia: ana reads it so.
    expect(ana.read()).toEqual([pt.left("cid")]);
  });

  test("a connection not yet in the room switches without reading anything", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const newcomer = new FakeMember("10.2.2.2");
    room.accept(newcomer);
    room.setLang(newcomer, "pt");
    expect(newcomer.lang).toBe("pt");
    room.join(newcomer, "bia");
    room.leave(ana);
    expect(read(newcomer)).toEqual([[pt.left("ana")]]);
  });
});

describe("members on other servers", () => {
  test("they count in the room's size, its names, and the names taken", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    room.remoteJoined("n2", "zoe", "10.5.5.5", say("joined", "zoe"));
    room.remoteJoined("n2", "yan", "10.5.5.6", null);
    expect(read(ana)).toEqual([[en.joined("zoe")]]);
    expect(room.memberCount).toBe(3);
    expect(room.names()).toEqual(["ana", "zoe", "yan"]);
    expect(room.isFree("ZOE")).toBe(false);
    expect(room.locate("zoe")).toEqual({ name: "zoe", node: "n2", host: "10.5.5.5" });
    expect(room.find("zoe")).toBeUndefined();
    expect(room.remoteNodes()).toEqual(new Set(["n2"]));
  });

  test("their renames and leaves are read here and change the names taken", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    room.remoteJoined("n2", "zoe", "h", null);
    room.remoteRenamed("n2", "zoe", "zed", say("renamed", "zoe", "zed"));
    expect(room.isFree("zoe")).toBe(true);
    expect(room.isFree("zed")).toBe(false);
    room.remoteLeft("n2", "zed", say("left", "zed"));
    expect(read(ana)).toEqual([[en.renamed("zoe", "zed"), en.left("zed")]]);
    expect(room.memberCount).toBe(1);
  });

  test("a server gone: its members left, announced", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    room.remoteJoined("n2", "zoe", "h", null);
    room.remoteJoined("n2", "yan", "h", null);
    room.remoteJoined("n3", "xia", "h", null);
    room.remoteGone("n2");
    expect(read(ana)).toEqual([[en.left("zoe"), en.left("yan")]]);
    expect(room.names()).toEqual(["ana", "xia"]);
  });

  test("a roster after an outage announces who came and who went; a quiet one nothing", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    room.remoteJoined("n2", "zoe", "h", null);
    room.remoteJoined("n2", "yan", "h", null);
    room.remoteRoster("n2", [
      ["zoe", "h"],
      ["wes", "h"],
    ]);
    expect(read(ana)).toEqual([[en.left("yan"), en.joined("wes")]]);
    room.remoteRoster("n2", [["vic", "h"]], true);
    expect(read(ana)).toEqual([[]]);
    expect(room.names()).toEqual(["ana", "vic"]);
  });

  test("a name claimed everywhere is taken from what this server knew of elsewhere", () => {
    const { room, member } = setup();
    member("ana");
    room.remoteJoined("n2", "zoe", "h", null);
    const here = new FakeMember("10.3.3.3");
    room.accept(here);
    expect(room.join(here, "zoe")).toBe(false);
    expect(room.join(here, "zoe", true)).toBe(true);
    expect(room.locate("zoe")).toBe(here);
    expect(room.memberCount).toBe(2);
  });

  test("what changes here is told to the peers, a crowded room's joins without a notice", () => {
    const { room, member } = setup({ announceMax: 1 });
    const peers = recordingPeers();
    room.linkPeers(peers);
    expect(room.shared).toBe(true);
    const ana = member("ana");
    const bob = member("bob");
    room.say(ana, said("ana", "hi"));
    room.rename(ana, "anna");
    room.setTopic("anna", "t");
    room.leave(bob);
    expect(peers.calls).toEqual([
      // Not ordered by the peers (a link that is down): delivered here at once, no `here` handed over.
      ["joined", "ana", ana.host, say("joined", "ana"), null],
      ["joined", "bob", bob.host, null, null],
      ["said", "<ana> hi", ana.id, null],
      ["renamed", "ana", "anna", say("renamed", "ana", "anna"), null],
      ["announced", say("topicSet", "anna", "t"), null],
      ["topic", "t"],
      ["left", "bob", null, null],
    ]);
  });
});

describe("a bug in one place never stops the room", () => {
  test("a member whose send throws is handed over to be cut; the others get the turn", () => {
    const { room, member, read, failures } = setup();
    const ana = member("ana");
    const bob = member("bob");
    const eva = member("eva");
    const bug = new Error("send blew up");
    bob.broken = bug;
    room.say(ana, said("ana", "hi"));
    const [, , evaRead] = read(ana, bob, eva);
    expect(evaRead).toEqual([chat("ana", "hi")]);
    expect(failures).toEqual([[bob, bug]]);
    // The next turn is as usual for everyone else (bob is the owner's to cut).
    room.say(eva, said("eva", "again"));
    expect(read(ana, eva)).toEqual([[chat("eva", "again")], []]);
  });

  test("a throw in the end-of-turn delivery is logged and the next turn goes out", async () => {
    const { room, member, errors, hooks } = setup();
    const ana = member("ana");
    const bob = member("bob");
    const cid = member("cid");
    read0(ana, bob, cid);
    // bob's send throws, and so does the hook that should cut it.
    bob.broken = new Error("send blew up");
    const failed = hooks.failed;
    hooks.failed = () => {
      throw new Error("failed blew up");
    };
    room.say(ana, said("ana", "one"));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(errors.map(([where]) => where)).toEqual(["a turn's delivery"]);
    expect(cid.read()).toEqual([chat("ana", "one")]);
    hooks.failed = failed;
    room.say(ana, said("ana", "two"));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(cid.read()).toEqual([chat("ana", "two")]);
    expect(errors.length).toBe(1);
  });
});

/** Read and forget what each has been sent so far. */
function read0(...members: FakeMember[]): void {
  for (const m of members) m.read();
}

describe("members away (resume)", () => {
  /** ana and bob in a room, ana's lines read; then bob is suspended (away). */
  function bobAway(limits: Partial<RoomLimits> = {}) {
    const fx = setup(limits);
    const ana = fx.member("ana");
    const bob = fx.member("bob");
    fx.read(ana);
    fx.room.suspend(bob);
    return { ...fx, ana, bob };
  }

  test("suspend: nobody is told, the name stays taken, /who shows it away", () => {
    const { room, read, ana, bob } = bobAway();
    expect(room.isAway(bob)).toBe(true);
    expect(bob.away).toBe(true);
    expect(read(ana)).toEqual([[]]);
    expect(room.names()).toEqual(["ana", "bob (away)"]);
    expect(room.memberCount).toBe(2);
    expect(room.connectionCount).toBe(1);
    expect(room.isFree("BOB")).toBe(false);
    // Nothing is written to it while away.
    room.say(ana, said("ana", "while away"));
    room.flush();
    expect(bob.conn.offered).toEqual([]);
  });

  test("resume: the new connection is the member (name, id, queue), and reads what it missed in order", () => {
    const { room, read, ana, bob } = bobAway();
    const from = bob.next;
    room.say(ana, said("ana", "1"));
    expect(room.tell(bob, "* private 1", true)).toBe(true);
    room.say(ana, said("ana", "2"));
    room.flush();
    room.tell(bob, "* private 2", true);
    room.flush();
    const bob2 = new FakeMember("10.0.0.99");
    expect(room.accept(bob2)).toBe(true);
    room.resume(bob, bob2, from, ["* welcome back, bob"]);
    expect([bob2.name, bob2.id, bob2.lang]).toEqual(["bob", bob.id, "en"]);
    expect(room.find("bob")).toBe(bob2);
    expect(room.isAway(bob)).toBe(false);
    expect(room.names()).toEqual(["ana", "bob"]);
    expect(read(bob2)).toEqual([
      ["* welcome back, bob", chat("ana", "1"), "* private 1", chat("ana", "2"), "* private 2"],
    ]);
    // Nobody saw it go or come back.
    expect(read(ana)).toEqual([[]]);
    // It goes on as the same member: its own lines are not sent back to it.
    room.say(bob2, said("bob", "back"));
    room.say(ana, said("ana", "3"));
    expect(read(ana, bob2)).toEqual([[chat("bob", "back")], [chat("ana", "3")]]);
    expect(bob.conn.offered).toEqual([]);
  });

  test("its line the stream places after it resumed is not sent back to its new connection", () => {
    const { room, read, ana, bob } = bobAway();
    const peers = { ...recordingPeers(), ordered: true };
    room.linkPeers(peers);
    const bob2 = new FakeMember("10.0.0.99");
    room.accept(bob2);
    room.resume(bob, bob2, bob.next, []);
    read(bob2);
    // Said on the old connection (as if just before it was cut); the stream orders it only now.
    room.say(bob, said("bob", "placed late"));
    const [, , , here] = peers.calls.at(-1) as [string, string, number, Here];
    here({ epoch: room.log.epoch, seq: 1 }, 0);
    expect(read(ana, bob2)).toEqual([[chat("bob", "placed late")], []]);
    // Once it has left, its lines placed late reach everyone left: nobody holds its id.
    room.say(bob2, said("bob", "last words"));
    const [, , , last] = peers.calls.at(-1) as [string, string, number, Here];
    room.leave(bob2);
    read(ana);
    last({ epoch: room.log.epoch, seq: 2 }, 0);
    expect(read(ana)).toEqual([[chat("bob", "last words")]]);
  });

  test("a line of another server's member that came here since is not sent back to it", () => {
    const { room, read, member } = setup();
    const ana = member("ana");
    const zoe = new FakeMember("10.0.0.98");
    room.accept(zoe);
    zoe.id = room.idOf("n2", 7);
    room.adopt(
      zoe,
      { node: "n2", id: 7, name: "zoe", operator: false, lang: "en", host: "h" },
      room.log.end,
      [],
    );
    read(zoe);
    room.heard(chat("zoe", "said there"), 0, undefined, "n2", 7);
    room.heard(chat("yan", "also there"), 0, undefined, "n2", 8);
    expect(read(ana, zoe)).toEqual([
      [chat("zoe", "said there"), chat("yan", "also there")],
      [chat("yan", "also there")],
    ]);
  });

  test("a missed-lines line not yet written goes with the old connection when the resume tells the gap", () => {
    for (const gapTold of [true, false]) {
      const fx = setup({ windowBytes: 600 });
      const { room, read, member } = fx;
      const ana = member("ana");
      const bob = member("bob");
      bob.conn.takeNothing();
      const lines = Array.from({ length: 40 }, (_, i) => `${i} ${"x".repeat(20)}`);
      for (const text of lines) {
        room.say(ana, said("ana", text));
        room.flush();
      }
      // Its socket drains and takes nothing: the missed-lines line waits in its queue.
      expect(room.drained(bob)).toBe(false);
      expect(bob.queue?.[0]?.missed).toBeGreaterThan(0);
      room.suspend(bob);
      const bob2 = new FakeMember("10.0.0.99");
      room.accept(bob2);
      const first = gapTold
        ? ["* welcome back, bob", "* you missed 30 lines"]
        : ["* welcome back, bob"];
      room.resume(bob, bob2, room.log.first, first, gapTold);
      const got = read(bob2)[0] as string[];
      const missedLines = got.filter((l) => /^\* you missed/.test(l));
      // Told once: by the resume's answer when it says the gap, else by the line kept.
      expect(missedLines).toHaveLength(1);
      expect(got.at(-1)).toBe(chat("ana", lines.at(-1) as string));
    }
  });

  test("private lines to a member away are kept up to its own queue's cap; past it, refused", () => {
    const { room, member } = setup({ queueBytes: 100 });
    const bob = member("bob");
    member("ana");
    room.flush();
    bob.read();
    room.suspend(bob);
    const line = "p".repeat(29);
    expect([1, 2, 3, 4].map(() => room.tell(bob, line, true))).toEqual([true, true, true, false]);
  });

  test("leave() of a member away announces it once, and frees its name", () => {
    const { room, read, ana, bob } = bobAway();
    room.leave(bob);
    room.leave(bob);
    room.drop(bob);
    expect(read(ana)).toEqual([[en.left("bob")]]);
    expect(room.names()).toEqual(["ana"]);
    expect(room.isAway(bob)).toBe(false);
    expect(room.isFree("bob")).toBe(true);
    expect(room.memberCount).toBe(1);
  });
  test("a member away stays in the roster; at most maxClients may be away", () => {
    const { room, member, ana, bob } = bobAway({ maxClients: 2 });
    expect(room.connectionCount).toBe(1);
    expect(room.mayHoldAway).toBe(true);
    const cid = member("cid");
    room.suspend(cid);
    expect(room.mayHoldAway).toBe(false);
    room.leave(cid);
    expect(room.localMembers()).toEqual([ana, bob]);
    expect(room.roster()).toEqual([
      ["ana", ana.host],
      ["bob", bob.host],
    ]);
    room.leave(bob);
    room.drop(bob);
    expect(room.roster()).toEqual([["ana", ana.host]]);
  });
});

describe("readers behind", () => {
  test("a member behind holds nobody back; its drain brings it along", () => {
    const { room, member, read } = setup({ queueBytes: 1000 });
    const [ana, bob, cid] = [member("ana"), member("bob"), member("cid")];
    read(bob, cid);
    bob.conn.takeNothing();
    const lines = Array.from({ length: 50 }, (_, i) => chat("ana", `${i} ${"w".repeat(100)}`));
    for (const text of lines) {
      room.say(ana, { kind: "chat", from: "ana", text });
      room.flush();
    }
    expect(read(cid)).toEqual([lines]);
    expect(bob.read()).toEqual([]);
    // 5 KB behind, with a 1 KB own queue: it holds a position, not the lines.
    expect(bob.queuedBytes).toBe(0);
    bob.conn.takeAll();
    expect(room.drained(bob)).toBe(true);
    expect(bob.read()).toEqual(lines);
  });

  test("one that took nothing for the read timeout is handed over to be closed, once", () => {
    jest.useFakeTimers();
    const { room, member, read, stalled } = setup({ behindTimeoutMs: 8_000 });
    const [ana, bob, cid] = [member("ana"), member("bob"), member("cid")];
    read(cid);
    bob.conn.takeNothing();
    room.say(ana, said("ana", "hi"));
    room.flush();
    jest.advanceTimersByTime(FANOUT.sweepMs);
    expect(stalled).toEqual([]);
    jest.advanceTimersByTime(FANOUT.sweepMs);
    expect(stalled).toEqual([bob]);
    jest.advanceTimersByTime(3 * FANOUT.sweepMs);
    expect(stalled).toEqual([bob]);
    expect(read(cid)).toEqual([[chat("ana", "hi")]]);
    room.close();
  });
});
