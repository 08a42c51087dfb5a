import { describe, expect, test } from "bun:test";
import { nameKey } from "../../../src/protocol/names.ts";
import { Elsewhere } from "../../../src/server/room/remote-members.ts";

describe("the members of other servers", () => {
  test("a name two servers gave while apart: the last to say so holds it, the other behind it", () => {
    const e = new Elsewhere();
    e.joined("A", "zed", "10.0.0.1");
    e.joined("B", "ZED", "10.0.0.2");
    expect(e.get(nameKey("zed"))?.node).toBe("B");
    expect(e.size).toBe(1);
    // B's member is renamed when the servers meet; A's zed holds the name again.
    e.renamed("B", "ZED", "zed-2");
    expect(e.get(nameKey("zed"))?.node).toBe("A");
    expect(e.get(nameKey("zed-2"))).toEqual({ name: "zed-2", node: "B", host: "10.0.0.2" });
    // A server gone with a name someone else still holds: nobody is announced as left.
    e.joined("C", "zed", "10.0.0.3");
    expect(e.forget("A")).toEqual([]);
    expect(e.get(nameKey("zed"))?.node).toBe("C");
    expect(e.forget("C")).toEqual(["zed"]);
  });

  test("a stale leave changes nothing; a server's leave frees its own name only", () => {
    const e = new Elsewhere();
    e.joined("A", "ana", "h");
    e.left("B", "ana");
    expect(e.has(nameKey("ana"))).toBe(true);
    e.left("A", "ANA");
    expect(e.size).toBe(0);
  });

  test("a roster replaces what was known of its server and says who came and went", () => {
    const e = new Elsewhere();
    e.joined("A", "ana", "h");
    e.joined("A", "bob", "h");
    e.joined("B", "carol", "h");
    expect(
      e.replace("A", [
        ["bob", "h"],
        ["dan", "h"],
      ]),
    ).toEqual({ joined: ["dan"], left: ["ana"] });
    expect([...e.values()].map((m) => m.name).sort()).toEqual(["bob", "carol", "dan"]);
    expect(e.forget("A").sort()).toEqual(["bob", "dan"]);
    expect(e.nodes()).toEqual(new Set(["B"]));
  });
});
