import { afterEach, describe, expect, jest, test } from "bun:test";
import { action, chat, SERVER_TEXT, say } from "../../../src/protocol/messages.ts";
import { nameKey } from "../../../src/protocol/names.ts";
import { PRESENCE_GRACE_MS } from "../../../src/server/cluster/carrier.ts";
import { encodeBatch } from "../../../src/server/cluster/events.ts";
import type { Context } from "../../../src/server/session/context.ts";
import { closeAll, makeShared, open, recordingLog, turn } from "../../support/fakes.ts";

const en = SERVER_TEXT.en;
let ctx: Context | null = null;

afterEach(() => {
  jest.useRealTimers();
  if (ctx !== null) closeAll(ctx);
  ctx = null;
});

/** A value as it reads after the trip as JSON (an absent argument is null). */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** A server "here" of a shared room, its first batch (restore's question) already out. */
async function shared(...args: Parameters<typeof makeShared>) {
  const s = makeShared(...args);
  ctx = s.ctx;
  await turn();
  expect(s.link.batches()).toEqual([["here", 1, [["?"]]]]);
  s.link.published.length = 0;
  return s;
}

/** ana and bob, joined on this server (their names claimed everywhere), all read. */
async function withMembers(...args: Parameters<typeof makeShared>) {
  const s = await shared(...args);
  const ana = await joinShared(s.ctx, "ana");
  const bob = await joinShared(s.ctx, "bob");
  ana.read();
  await turns();
  const batches = s.link.batches();
  /** The number of the last batch published so far. */
  const seq = batches.at(-1)?.[1] ?? 0;
  expect(seq).toBeGreaterThan(1);
  s.link.published.length = 0;
  return { ...s, ana, bob, seq };
}

/**
 * Two event-loop turns: what microtasks (a claim's answer, a rejoin) pushed
 * after the first turn began is published by the second.
 */
async function turns(): Promise<void> {
  await turn();
  await turn();
}

/** Join in a shared room: the name waits for the claim's answer. */
async function joinShared(c: Context, name: string) {
  const client = open(c, { address: `10.1.0.${name.charCodeAt(0)}` });
  client.say(name);
  await turn();
  client.read();
  expect(client.client.phase).toBe("joined");
  return client;
}

describe("this server's changes, as batches", () => {
  test("the room's Peers calls of one turn become one batch, numbered in order", async () => {
    const { ctx: c, link, ana, bob, seq } = await withMembers();
    ana.say("hello", "/me waves");
    bob.say("/nick robert");
    expect(link.published).toEqual([]);
    await turn();
    expect(link.batches()).toEqual([
      [
        "here",
        seq + 1,
        [
          ["s", chat("ana", "hello"), ana.client.id],
          ["s", action("ana", "waves"), ana.client.id],
          ["r", "bob", "robert", say("renamed", "bob", "robert")],
        ],
      ],
    ]);
    expect(link.released).toEqual([nameKey("bob")]);
    ana.say("/quit");
    await turn();
    expect(link.batches()[1]).toEqual([
      "here",
      seq + 2,
      [["p", "ana", wire(say("left", "ana", undefined))]],
    ]);
    expect(c.room.localMembers()).toEqual([bob.client]);
  });

  test("a join claims the name everywhere first; a name another server holds is refused", async () => {
    const { ctx: c, link } = await shared();
    const ana = await joinShared(c, "Ana");
    expect(link.claims).toEqual([{ key: nameKey("Ana"), host: ana.client.host, name: "Ana" }]);
    await turn();
    expect(link.sent()).toEqual([["j", "Ana", ana.client.host, say("joined", "Ana")]]);
    link.claimAnswer = false;
    const bob = open(c);
    bob.read();
    bob.say("bob", "/who");
    expect(bob.client.phase).toBe("naming");
    await Promise.resolve();
    await Promise.resolve();
    expect(bob.read()).toEqual([en.nameTaken("bob"), en.nameFirst()]);
  });

  test("a private line and a removal for members elsewhere become events", async () => {
    const { ctx: c, link, ana } = await withMembers({ opPassword: "pw" });
    link.deliver("n2", [["j", "zoe", "10.9.9.9", null]]);
    ana.say("/msg zoe hi there", "/op pw", "/kick zoe bye", "/ban zoe");
    // The notices come back from zoe's server, when it has removed her.
    expect(ana.read()).toEqual([en.privateTo("zoe", "hi there"), en.nowOperator()]);
    await turn();
    expect(link.sent()).toEqual([
      ["m", "zoe", "ana", "hi there"],
      ["x", "zoe", say("kicked", "zoe", "ana", "bye"), "kicked by ana"],
      ["b", "10.9.9.9", "zoe"],
      ["x", "zoe", say("banned", "zoe", "ana"), "banned by ana"],
    ]);
    expect(link.writes).toEqual([["b", "10.9.9.9", "zoe"]]);
    expect(c.gate.banned()).toEqual([["10.9.9.9", "zoe"]]);
  });

  test("the topic is stored with the carrier and told as events", async () => {
    const { link, ana } = await withMembers({ opPassword: "pw" });
    ana.say("/op pw", "/topic exams");
    await turn();
    expect(link.sent()).toEqual([
      ["a", say("topicSet", "ana", "exams")],
      ["t", "exams"],
    ]);
    expect(link.writes).toEqual([["t", "exams"]]);
  });

  test("leaving the room: one last batch saying this server is gone, then nothing", async () => {
    const { link, cluster, ana, seq } = await withMembers();
    ana.say("last");
    await cluster.leave();
    expect(link.lastBatch).toBe(
      encodeBatch(["here", seq + 1, [["s", chat("ana", "last"), ana.client.id], ["g"]]]),
    );
    ana.say("unheard");
    await turn();
    expect(link.published).toEqual([]);
  });
});

describe("other servers' batches", () => {
  test("their events reach this server's members, in order, in the next writes", async () => {
    const { ctx: c, link, ana, bob } = await withMembers();
    link.deliver(
      "n2",
      [
        ["j", "zoe", "10.9.9.9", say("joined", "zoe")],
        ["s", chat("zoe", "hi")],
        ["m", "bob", "zoe", "psst"],
        ["t", "exams"],
      ],
      { at: 77 },
    );
    expect(ana.read()).toEqual([en.joined("zoe"), chat("zoe", "hi")]);
    expect(bob.read()).toEqual([
      en.joined("zoe"),
      chat("zoe", "hi"),
      en.privateFrom("zoe", "psst"),
    ]);
    expect(c.room.history()).toEqual([
      {
        at: 77,
        line: chat("zoe", "hi"),
        from: "zoe",
        pos: { epoch: link.epoch, seq: expect.any(Number) },
      },
    ]);
    expect(c.room.topic).toBe("exams");
    bob.say("/who");
    expect(bob.read()).toEqual([en.who(3, ["ana", "bob", "zoe"])]);
  });

  test("a removal of a member here, asked by another server", async () => {
    const { link, ana, bob } = await withMembers();
    link.deliver("n2", [["x", "bob", say("kicked", "bob", "zoe"), "kicked by zoe"]]);
    expect(bob.read()).toEqual([en.kicked("bob", "zoe")]);
    expect(bob.client.phase).toBe("ending");
    await turn();
    expect(link.sent()).toEqual([["p", "bob", say("kicked", "bob", "zoe")]]);
    // The others read it where the stream placed it: once this server's batch came back.
    await turn();
    expect(ana.read()).toEqual([en.kicked("bob", "zoe")]);
  });

  test("this server's own batches, repeats and older ones are skipped", async () => {
    const { link, ana } = await withMembers();
    link.deliver("here", [["s", "<ana> echo"]], { seq: 99 });
    link.deliver("n2", [["s", "<zoe> one"]], { seq: 5 });
    link.deliver("n2", [["s", "<zoe> one"]], { seq: 5 });
    link.deliver("n2", [["s", "<zoe> old"]], { seq: 4 });
    link.deliver("n2", [["s", "<zoe> two"]], { seq: 6 });
    expect(ana.read()).toEqual(["<zoe> one", "<zoe> two"]);
  });

  test("a gap in a server's batches: members are told lines went missing, and views are asked again", async () => {
    const { link, ana } = await withMembers();
    link.deliver("n2", [["s", "<zoe> one"]], { seq: 1 });
    link.deliver("n2", [["s", "<zoe> four"]], { seq: 4 });
    link.deliver("n2", [["s", "<zoe> nine"]], { seq: 9 });
    // Told once a minute at most.
    expect(ana.read()).toEqual(["<zoe> one", en.linesMissed(), "<zoe> four", "<zoe> nine"]);
    await turn();
    expect(link.sent()).toEqual([["?"], ["?"]]);
  });

  test("a question about the room is answered with this server's roster", async () => {
    const { link, ana, bob } = await withMembers();
    link.deliver("n2", [["?"]]);
    await turn();
    expect(link.sent()).toEqual([
      [
        "h",
        [
          ["ana", ana.client.host],
          ["bob", bob.client.host],
        ],
        true,
      ],
    ]);
  });

  test("an entry that is no batch, or a batch with bad events, is skipped without throwing", async () => {
    const log = recordingLog();
    const { ctx: c, link, ana } = await withMembers({}, { log });
    expect(() => link.deliverText("not json")).not.toThrow();
    expect(() => link.deliverText('["n2", "1", []]')).not.toThrow();
    expect(() =>
      link.deliver("n2", [["s", 1], ["q"], ["j", null], ["s", "<zoe> still here"]]),
    ).not.toThrow();
    expect(ana.read()).toEqual(["<zoe> still here"]);
    expect(c.room.memberCount).toBe(2);
    expect(log.lines.filter((l) => l.startsWith("cluster:"))).toEqual([
      "cluster: skipped a stream entry that is not a papo batch",
      "cluster: skipped a stream entry that is not a papo batch",
      "cluster: skipped an unknown event q",
    ]);
  });
});

describe("joining the room and the link's ups and downs", () => {
  test("restore: topic, bans, members elsewhere and the newest lines said", async () => {
    const { ctx: c } = await shared(
      { historyLines: 2 },
      {
        snapshot: {
          topic: "exams",
          bans: [["10.66.0.1", "mal"]],
          members: [
            { node: "n2", host: "10.9.9.9", name: "zoe" },
            { node: "here", host: "10.1.1.1", name: "stale" },
          ],
          recent: [
            {
              text: encodeBatch([
                "n2",
                3,
                [
                  ["s", "<zoe> c"],
                  ["a", "* not said"],
                ],
              ]),
              at: 30,
              pos: null,
            },
            {
              text: encodeBatch([
                "n2",
                2,
                [
                  ["s", "<zoe> a"],
                  ["s", "<zoe> b"],
                ],
              ]),
              at: 20,
              pos: null,
            },
            { text: "garbage", at: 10, pos: null },
          ],
        },
      },
    );
    expect(c.room.topic).toBe("exams");
    expect(c.gate.banned()).toEqual([["10.66.0.1", "mal"]]);
    expect(c.room.names()).toEqual(["zoe"]);
    expect(c.room.isFree("stale")).toBe(true);
    expect(c.room.history()).toEqual([
      // From entries without positions (an older papo's): none.
      { at: 20, line: "<zoe> b", from: "zoe", pos: null },
      { at: 30, line: "<zoe> c", from: "zoe", pos: null },
    ]);
    const ana = await joinShared(c, "ana");
    expect(ana.conn.lines()).toContain(en.topic("exams"));
    expect(ana.conn.lines()).toContain(en.welcome("ana", 2, ["ana", "zoe"]));
  });

  test("the link down and back up: members are told once each, and the roster goes out", async () => {
    const { link, cluster, ana, bob } = await withMembers();
    cluster.down();
    cluster.down();
    expect(ana.read()).toEqual([en.linkDown()]);
    cluster.lost(3);
    cluster.up();
    await turns();
    expect(ana.read()).toEqual([en.linkUp(), en.linkLost(3)]);
    expect(link.sent()).toEqual([
      [
        "h",
        [
          ["ana", ana.client.host],
          ["bob", bob.client.host],
        ],
        false,
      ],
    ]);
  });

  test("a server gone: its members leave, announced", async () => {
    const { ctx: c, cluster, link, ana } = await withMembers();
    link.deliver("n2", [["j", "zoe", "h", null]]);
    expect([...cluster.watched()]).toEqual(["n2"]);
    // Judged only a full presence period after the link came up.
    cluster.gone(["n2"]);
    expect(c.room.memberCount).toBe(3);
    link.deliver("n2", [["g"]]);
    expect(ana.read()).toEqual([en.left("zoe")]);
    expect(c.room.memberCount).toBe(2);
  });
});

describe("one view of the room on every server", () => {
  test("the topic follows the stream's order, this server's own entries included", async () => {
    const { ctx: c, link, ana } = await withMembers({ opPassword: "pw" });
    ana.say("/op pw", "/topic mine");
    await turn();
    const mine = link.published.at(-1) as string;
    expect(link.writes).toEqual([["t", "mine"]]);
    expect(c.room.topic).toBe("mine");
    // Another server set its topic at the same time; the stream holds its first, then ours.
    link.deliver("n2", [["t", "theirs"]]);
    expect(c.room.topic).toBe("theirs");
    link.deliverText(mine);
    // Ours is the stream's last word: n2 applies it last too, and Redis kept it with the batch.
    expect(c.room.topic).toBe("mine");
    // The other order: ours first, theirs after, and theirs is everyone's.
    ana.say("/topic again");
    await turn();
    link.deliverText(link.published.at(-1) as string);
    link.deliver("n2", [["t", "later"]]);
    expect(c.room.topic).toBe("later");
  });

  test("bans and unbans follow the stream's order, this server's own entries included", async () => {
    const { ctx: c, link, ana } = await withMembers({ opPassword: "pw" });
    link.deliver("n2", [["b", "10.66.0.1", "mal"]]);
    ana.say("/op pw", "/unban mal");
    await turn();
    const unban = link.published.at(-1) as string;
    // Every server lifts the same ban: the address, not the name.
    expect(link.sent().at(-1)).toEqual(["u", "10.66.0.1"]);
    expect(link.writes).toEqual([["u", "10.66.0.1"]]);
    expect(c.gate.banned()).toEqual([]);
    // n2 banned mal again meanwhile; the stream holds its ban before our unban.
    link.deliver("n2", [["b", "10.66.0.1", "mal"]]);
    expect(c.gate.banned()).toEqual([["10.66.0.1", "mal"]]);
    link.deliverText(unban);
    expect(c.gate.banned()).toEqual([]);
  });

  test("this server's own lines and presence are not applied twice", async () => {
    const { ctx: c, link, ana, bob } = await withMembers();
    ana.say("once");
    await turn();
    link.deliverText(link.published.at(-1) as string);
    expect(bob.read()).toEqual([chat("ana", "once")]);
    expect(c.room.history()).toHaveLength(1);
  });

  test("a name that changes hands: the old holder's late leave does not remove the new one", async () => {
    const { ctx: c, link, ana } = await withMembers();
    link.deliver("n2", [["j", "zoe", "10.9.9.2", null]]);
    // zoe leaves n2, and n3 gives the name at once: n3's join reaches the stream first.
    link.deliver("n3", [["j", "zoe", "10.9.9.3", say("joined", "zoe")]]);
    link.deliver("n2", [["p", "zoe", say("left", "zoe")]]);
    expect(c.room.locate("zoe")).toEqual({ name: "zoe", node: "n3", host: "10.9.9.3" });
    // The same with a rename away from the name: n2's zed is new, n3's zoe stays.
    link.deliver("n2", [["j", "zoe2", "10.9.9.2", null]]);
    link.deliver("n3", [["j", "ZOE2", "10.9.9.4", null]]);
    link.deliver("n2", [["r", "zoe2", "zed", say("renamed", "zoe2", "zed")]]);
    expect(c.room.locate("zoe2")).toEqual({ name: "ZOE2", node: "n3", host: "10.9.9.4" });
    // n2's member keeps its address: its word for zoe2 was still known, behind n3's.
    expect(c.room.locate("zed")).toEqual({ name: "zed", node: "n2", host: "10.9.9.2" });
    ana.read();
    ana.say("/who", "/msg zoe still there?");
    expect(ana.read()).toEqual([
      en.who(5, ["ana", "bob", "zoe", "ZOE2", "zed"]),
      en.privateTo("zoe", "still there?"),
    ]);
    await turn();
    expect(link.sent()).toEqual([["m", "zoe", "ana", "still there?"]]);
  });

  test("after the link comes back, servers still reconnecting are not taken for gone", async () => {
    const { ctx: c, link, cluster } = await withMembers();
    link.deliver("n2", [["j", "zoe", "h", null]]);
    jest.useFakeTimers();
    cluster.down();
    cluster.up();
    // n2 may come back up to a longest retry wait (5 s, and its jitter) later, and beat a second after.
    jest.advanceTimersByTime(6_500);
    cluster.gone(["n2"]);
    expect(c.room.memberCount).toBe(3);
    jest.advanceTimersByTime(PRESENCE_GRACE_MS - 6_500);
    cluster.gone(["n2"]);
    expect(c.room.memberCount).toBe(2);
  });
});
