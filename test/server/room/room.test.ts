import { describe, expect, test } from "bun:test";
import { Sent } from "../../../src/net/outbox.ts";
import type { Lang } from "../../../src/protocol/lang.ts";
import { SERVER_TEXT, say } from "../../../src/protocol/messages.ts";
import type { Peers } from "../../../src/server/room/peers.ts";
import { type Member, Room, type RoomLimits } from "../../../src/server/room/room.ts";

const en = SERVER_TEXT.en;
const pt = SERVER_TEXT.pt;
const text = new TextDecoder();

/** The least a member is: somewhere to send bytes, that keeps them as lines. */
class TestMember implements Member {
  name = "";
  backlog = 0;
  private got = "";
  private seen = 0;
  constructor(
    readonly host: string,
    public lang: Lang = "en",
  ) {}
  /** Set to make the next sends throw (a transport's bug). */
  broken: Error | null = null;
  send(bytes: Uint8Array): Sent {
    if (this.broken) throw this.broken;
    this.got += text.decode(bytes);
    return this.backlog > 0 ? Sent.Queued : Sent.Written;
  }
  /** Lines received since the last call. */
  read(): string[] {
    const all = this.got.split("\n").slice(0, -1);
    const fresh = all.slice(this.seen);
    this.seen = all.length;
    return fresh;
  }
}

function setup(limits: Partial<RoomLimits> = {}, clock = () => 0) {
  const evicted: TestMember[] = [];
  const failures: Array<[TestMember, unknown]> = [];
  const errors: Array<[string, unknown]> = [];
  const room = new Room<TestMember>(
    {
      maxClients: 100,
      announceMax: 100,
      watermarks: { low: 1000, high: 2000, cap: 4000 },
      turnBytes: 1 << 20,
      historyLines: 5,
      ...limits,
    },
    {
      evict: (slow) => evicted.push(...slow),
      failed: (m, error) => failures.push([m, error]),
      error: (where, error) => errors.push([where, error]),
      pause: () => {},
      resume: () => {},
    },
    clock,
  );
  let hosts = 0;
  /** A connection accepted and joined as `name`, the turn delivered and its lines read. */
  const member = (name: string, lang: Lang = "en") => {
    const m = new TestMember(`10.0.0.${++hosts}`, lang);
    expect(room.accept(m)).toBe(true);
    expect(room.join(m, name)).toBe(true);
    room.flush();
    m.read();
    return m;
  };
  /** Deliver the turn, then every member's fresh lines. */
  const read = (...members: TestMember[]) => {
    room.flush();
    return members.map((m) => m.read());
  };
  return { room, member, read, evicted, failures, errors };
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
    room.leave(bob, { kind: "slow" });
    room.leave(cid, { kind: "removed", notice: say("kicked", "cid", "ana", "spam") });
    room.leave(dan, { kind: "quietly" });
    expect(read(ana)).toEqual([[en.leftTooSlow("bob"), en.kicked("cid", "ana", "spam")]]);
  });

  test("a connection that never joined leaves nothing to announce", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const stranger = new TestMember("10.9.9.9");
    room.accept(stranger);
    room.leave(stranger);
    room.drop(stranger);
    expect(read(ana)).toEqual([[]]);
    expect(room.connectionCount).toBe(1);
  });

  test("the server is full at maxClients connections, named or not", () => {
    const { room } = setup({ maxClients: 2 });
    expect(room.accept(new TestMember("a"))).toBe(true);
    const b = new TestMember("b");
    expect(room.accept(b)).toBe(true);
    expect(room.accept(new TestMember("c"))).toBe(false);
    room.drop(b);
    expect(room.accept(new TestMember("c"))).toBe(true);
  });
});

describe("names", () => {
  test("a name is taken in any case and by any look-alike spelling", () => {
    const { room, member } = setup();
    member("ana");
    member("José");
    const other = new TestMember("10.1.1.1");
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
    room.leave(dan, { kind: "slow" });
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
    room.say(ana, "<ana> hi");
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
    for (const n of [1, 2, 3, 4]) {
      now += 10;
      room.say(ana, `<ana> ${n}`);
    }
    room.announce("* not remembered");
    room.heard("<zoe> from elsewhere", 5);
    expect(room.history()).toEqual([
      { at: 1030, line: "<ana> 3" },
      { at: 1040, line: "<ana> 4" },
      { at: 5, line: "<zoe> from elsewhere" },
    ]);
  });

  test("historyLines 0 remembers nothing", () => {
    const { room, member } = setup({ historyLines: 0 });
    room.say(member("ana"), "<ana> hi");
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
    room.say(ana, "<ana> oi");
    expect(read(ana, bia)).toEqual([[en.joined("cid")], [pt.joined("cid"), "<ana> oi"]]);
  });

  test("setLang: what was owed comes in the old language, then notices in the new one", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const bob = member("bob");
    read(ana);
    room.rename(bob, "bobby");
    room.setLang(ana, "pt");
    room.leave(bob);
    expect(read(ana)).toEqual([[en.renamed("bob", "bobby"), pt.left("bobby")]]);
    expect(ana.lang).toBe("pt");
  });

  test("a connection not yet in the room switches without reading anything", () => {
    const { room, member, read } = setup();
    const ana = member("ana");
    const newcomer = new TestMember("10.2.2.2");
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
    const here = new TestMember("10.3.3.3");
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
    room.say(ana, "<ana> hi");
    room.rename(ana, "anna");
    room.setTopic("anna", "t");
    room.leave(bob);
    expect(peers.calls).toEqual([
      ["joined", "ana", ana.host, say("joined", "ana")],
      ["joined", "bob", bob.host, null],
      ["said", "<ana> hi"],
      ["renamed", "ana", "anna", say("renamed", "ana", "anna")],
      ["announced", say("topicSet", "anna", "t")],
      ["topic", "t"],
      ["left", "bob", null],
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
    room.say(ana, "<ana> hi");
    const [, , evaRead] = read(ana, bob, eva);
    expect(evaRead).toEqual(["<ana> hi"]);
    expect(failures).toEqual([[bob, bug]]);
    // The next turn is as usual.
    bob.broken = null;
    room.say(eva, "<eva> again");
    expect(read(ana, bob)).toEqual([["<eva> again"], ["<eva> again"]]);
  });

  test("a throw in the end-of-turn delivery is logged and the next turn goes out", async () => {
    const { room, member, errors } = setup({ watermarks: { low: 1, high: 2, cap: 4 } });
    const ana = member("ana");
    const bob = member("bob");
    // A backlog over the low mark makes the turn ask the pacer, whose hook throws.
    bob.backlog = 3;
    const hooks = room as unknown as { hooks: { pause: (m: TestMember) => void } };
    const pause = hooks.hooks.pause;
    hooks.hooks.pause = () => {
      throw new Error("pause blew up");
    };
    room.say(ana, "<ana> one");
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(errors.map(([where]) => where)).toEqual(["a turn's delivery"]);
    expect(bob.read()).toEqual(["<ana> one"]);
    hooks.hooks.pause = pause;
    bob.backlog = 0;
    room.say(ana, "<ana> two");
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(bob.read()).toEqual(["<ana> two"]);
    expect(errors.length).toBe(1);
  });
});
