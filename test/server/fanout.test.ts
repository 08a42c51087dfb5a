import { describe, expect, test } from "bun:test";
import { Sent } from "../../src/net/outbox.ts";
import { LocalFanout } from "../../src/server/fanout.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A member that records every buffer it is handed. */
class Member {
  got: Uint8Array[] = [];
  constructor(
    readonly id: string,
    public answer: Sent = Sent.Written,
  ) {}
  send(bytes: Uint8Array): Sent {
    this.got.push(bytes);
    return this.answer;
  }
  get lines(): string[] {
    return this.got.map(text).join("").split("\n").slice(0, -1);
  }
}

function setup(...ids: string[]) {
  const members = new Set(ids.map((id) => new Member(id)));
  const slow: Member[][] = [];
  let pending: (() => void) | null = null;
  const fanout = new LocalFanout<Member>(
    members,
    (s) => slow.push(s),
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
  return { members, fanout, slow, a, b, c, endTurn, scheduled: () => pending !== null };
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
    expect(b.got[0]).toBe(c.got[0] as Uint8Array);
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

  test("bytes a slow member still holds are never overwritten by the next turn", () => {
    const { fanout, a, b, endTurn } = setup("a", "b");
    b.answer = Sent.Queued;
    fanout.toAll("first turn");
    endTurn();
    const held = b.got[0] as Uint8Array;
    fanout.toAll("second turn, longer");
    endTurn();
    expect(text(held)).toBe("first turn\n");
    expect(a.lines).toEqual(["first turn", "second turn, longer"]);
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
