import { describe, expect, test } from "bun:test";
import { Sent } from "../../../src/net/outbox.ts";
import { LocalFanout } from "../../../src/server/room/fanout.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A member that records (a copy of) every buffer it is handed, as an outbox would. */
class Member {
  got: Uint8Array[] = [];
  /** The buffers themselves, to see which were shared. */
  handed: Uint8Array[] = [];
  backlog = 0;
  constructor(
    readonly id: string,
    public answer: Sent = Sent.Written,
  ) {}
  send(bytes: Uint8Array): Sent {
    this.handed.push(bytes);
    this.got.push(bytes.slice());
    return this.answer;
  }
  get lines(): string[] {
    return this.got.map(text).join("").split("\n").slice(0, -1);
  }
}

function setup(...ids: string[]) {
  return setupWith(Number.POSITIVE_INFINITY, ...ids);
}

function setupWith(turnBytes: number, ...ids: string[]) {
  const members = new Set(ids.map((id) => new Member(id)));
  const slow: Member[][] = [];
  const queued: Member[][] = [];
  const senders: Member[][] = [];
  let pending: (() => void) | null = null;
  const fanout = new LocalFanout<Member>(
    members,
    (turn) => {
      if (turn.slow.length > 0) slow.push([...turn.slow]);
      if (turn.queued.length > 0) queued.push([...turn.queued]);
      if (turn.senders.length > 0) senders.push([...turn.senders]);
    },
    turnBytes,
    (run) => {
      pending = run;
    },
  );
  const [a, b, c] = [...members] as [Member, Member, Member];
  const endTurn = () => {
    const run = pending;
    pending = null;
    run?.();
  };
  return {
    members,
    fanout,
    slow,
    queued,
    senders,
    a,
    b,
    c,
    endTurn,
    scheduled: () => pending !== null,
  };
}

describe("LocalFanout", () => {
  test("nothing is written until the turn ends, then one write per member", () => {
    const { fanout, a, b, c, endTurn, scheduled } = setup("a", "b", "c");
    fanout.toAll("one");
    fanout.toAll("two");
    expect(a.got.length).toBe(0);
    expect(scheduled()).toBe(true);
    endTurn();
    for (const m of [a, b, c]) {
      expect(m.got.length).toBe(1);
      expect(m.lines).toEqual(["one", "two"]);
    }
  });

  test("members who sent nothing share the very same bytes", () => {
    const { fanout, a, b, c, endTurn } = setup("a", "b", "c");
    fanout.toAll("<a> hi", a);
    endTurn();
    expect(b.handed[0]).toBe(c.handed[0] as Uint8Array);
    expect(a.got.length).toBe(0);
    expect(b.lines).toEqual(["<a> hi"]);
  });

  test("a sender gets everything but its own lines, in order", () => {
    const { fanout, a, b, endTurn } = setup("a", "b", "c");
    fanout.toAll("<a> 1", a);
    fanout.toAll("<b> 2", b);
    fanout.toAll("<a> 3", a);
    fanout.toAll("* notice");
    endTurn();
    expect(a.lines).toEqual(["<b> 2", "* notice"]);
    expect(b.lines).toEqual(["<a> 1", "<a> 3", "* notice"]);
  });

  test("direct lines keep their place among broadcast lines", () => {
    const { fanout, a, b, endTurn } = setup("a", "b");
    fanout.toAll("<b> first", b);
    fanout.toOne(a, "* reply");
    fanout.toAll("<b> second", b);
    fanout.toOne(a, "* last");
    endTurn();
    expect(a.lines).toEqual(["<b> first", "* reply", "<b> second", "* last"]);
    expect(b.lines).toEqual([]);
  });

  test("a member admitted mid-turn gets only what came after", () => {
    const { members, fanout, a, endTurn } = setup("a");
    fanout.toAll("before");
    const late = new Member("late");
    members.add(late);
    fanout.admit(late);
    fanout.toOne(late, "* welcome");
    fanout.toAll("after");
    endTurn();
    expect(late.lines).toEqual(["* welcome", "after"]);
    expect(a.lines).toEqual(["before", "after"]);
  });

  test("release hands a leaving member its share now, and not again", () => {
    const { members, fanout, a, b, endTurn } = setup("a", "b");
    fanout.toAll("<b> hi", b);
    fanout.toOne(a, "* for a");
    fanout.release(a);
    members.delete(a);
    fanout.toAll("* a left");
    endTurn();
    expect(a.lines).toEqual(["<b> hi", "* for a"]);
    expect(b.lines).toEqual(["* a left"]);
  });

  test("members past their cap are reported after the turn, not removed during it", () => {
    const { members, fanout, b, slow, endTurn } = setup("a", "b", "c");
    b.answer = Sent.Overflow;
    fanout.toAll("x");
    endTurn();
    expect(slow).toEqual([[b]]);
    expect(members.size).toBe(3);
  });

  test("the arena is reused every turn, even while a member has a backlog", () => {
    const { fanout, a, b, endTurn, queued } = setup("a", "b");
    b.answer = Sent.Queued;
    fanout.toAll("first turn");
    endTurn();
    fanout.toAll("second turn");
    endTurn();
    // The outbox copied what it kept: the fan-out owes it no buffer of its own.
    expect(b.handed[1]?.buffer).toBe(b.handed[0]?.buffer as ArrayBufferLike);
    expect(b.lines).toEqual(["first turn", "second turn"]);
    expect(a.lines).toEqual(["first turn", "second turn"]);
    expect(queued).toEqual([[b], [b]]);
  });

  test("the turn report names the senders, once each", () => {
    const { fanout, a, b, endTurn, senders } = setup("a", "b", "c");
    fanout.toAll("<a> 1", a);
    fanout.toAll("<a> 2", a);
    fanout.toAll("<b> 3", b);
    fanout.toAll("* notice");
    endTurn();
    expect(senders).toEqual([[a, b]]);
  });

  test("a turn of direct lines only visits just the members it concerns", () => {
    const { fanout, a, b, c, endTurn } = setup("a", "b", "c");
    fanout.toOne(b, "* online (3): a, b, c");
    endTurn();
    expect(b.lines).toEqual(["* online (3): a, b, c"]);
    expect(a.handed.length + c.handed.length).toBe(0);
  });

  test("a connection not in the room gets its direct lines and none of the room's", () => {
    const { fanout, a, b, endTurn } = setup("a", "b");
    const naming = new Member("naming");
    fanout.toAll("<a> hi", a);
    fanout.toOne(naming, "! invalid name: name is empty");
    endTurn();
    expect(naming.lines).toEqual(["! invalid name: name is empty"]);
    expect(b.lines).toEqual(["<a> hi"]);
  });

  test("a sender's large share is written piece by piece, small shares in one write", () => {
    const { fanout, a, b, endTurn } = setup("a", "b");
    const big = "x".repeat(40_000);
    fanout.toAll(`<b> ${big}`, b);
    fanout.toAll("<a> own", a);
    fanout.toAll(`<b> ${big}`, b);
    endTurn();
    expect(a.lines).toEqual([`<b> ${big}`, `<b> ${big}`]);
    expect(a.handed.length).toBe(2);
    fanout.toAll("<b> 1", b);
    fanout.toAll("<a> 2", a);
    fanout.toAll("<b> 3", b);
    endTurn();
    expect(a.handed.length).toBe(3);
    expect(a.lines.slice(2)).toEqual(["<b> 1", "<b> 3"]);
  });

  test("full once a turn holds its budget, direct lines included", () => {
    const { fanout, a } = setupWith(100, "a", "b");
    fanout.toAll("x".repeat(60), a);
    expect(fanout.full).toBe(false);
    fanout.toOne(a, "y".repeat(60));
    expect(fanout.full).toBe(true);
    fanout.flush();
    expect(fanout.full).toBe(false);
  });

  test("large turns grow the arena without losing earlier lines", () => {
    const { fanout, a, endTurn } = setup("a");
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${"é".repeat(i % 50)}`);
    for (const l of lines) fanout.toAll(l);
    endTurn();
    expect(a.lines).toEqual(lines);
  });

  test("flush() delivers at once", () => {
    const { fanout, a } = setup("a");
    fanout.toAll("now");
    fanout.flush();
    expect(a.lines).toEqual(["now"]);
  });
});
