import { describe, expect, test } from "bun:test";
import { Sayers } from "../../../src/server/room/sayers.ts";

interface Holder {
  id: number;
}

describe("the sayers' ids", () => {
  test("every id is new: members, sayers from before a restart and other servers' members share one count", () => {
    const s = new Sayers<Holder>();
    const a = s.next();
    const earlier = s.earlierOf("ana");
    const remote = s.remoteOf("n2", 7);
    const b = s.next();
    expect([earlier, remote, b]).toEqual([a + 1, a + 2, a + 3]);
    expect(a).toBeGreaterThan(0);
  });

  test("a name from before a restart, and a member of another server, keep the id they were given", () => {
    const s = new Sayers<Holder>();
    const ana = s.earlierOf("ana");
    const zoe = s.remoteOf("n2", 7);
    expect(s.earlierOf("ana")).toBe(ana);
    expect(s.earlierOf("bob")).not.toBe(ana);
    expect(s.remoteOf("n2", 7)).toBe(zoe);
    // The same id on another server is another member.
    expect(s.remoteOf("n3", 7)).not.toBe(zoe);
  });

  test("the oldest of more than 65,536 other servers' members is forgotten, and gets a new id if it comes back", () => {
    const s = new Sayers<Holder>();
    const first = s.remoteOf("n2", 0);
    const second = s.remoteOf("n2", 1);
    for (let i = 2; i <= 65_536; i++) s.remoteOf("n2", i);
    expect(s.remoteOf("n2", 1)).toBe(second);
    expect(s.remoteOf("n2", 0)).not.toBe(first);
  });

  test("a member holding an id it did not join with is found by it until it leaves", () => {
    const s = new Sayers<Holder>();
    const moved: Holder = { id: s.remoteOf("n2", 7) };
    expect(s.movedTo(moved.id)).toBeUndefined();
    s.holdsMoved(moved);
    expect(s.movedTo(moved.id)).toBe(moved);
    // Another holder's leave does not free the id; its own does.
    s.left({ id: moved.id });
    expect(s.movedTo(moved.id)).toBe(moved);
    s.left(moved);
    expect(s.movedTo(moved.id)).toBeUndefined();
  });
});
