import { describe, expect, test } from "bun:test";
import { type Group, type Loadgen, singles, take } from "../../bench/loadgen/pool.ts";
import { hiccupPlan } from "../../bench/scenarios/hiccup.ts";
import { RUNNERS, targetsOf } from "../../bench/scenarios/index.ts";

describe("hiccupPlan", () => {
  test("stops start staggered from the flood's start and last from 0.5 to 1.5 s", () => {
    expect(hiccupPlan(3)).toEqual([
      { atMs: 0, forMs: 500 },
      { atMs: 200, forMs: 1000 },
      { atMs: 400, forMs: 1500 },
    ]);
    expect(hiccupPlan(1)).toEqual([{ atMs: 0, forMs: 1500 }]);
    expect(hiccupPlan(0)).toEqual([]);
  });
});

describe("groups", () => {
  const a = { name: "a" } as unknown as Loadgen;
  const b = { name: "b" } as unknown as Loadgen;
  const group: Group = [
    { gen: a, range: { from: 0, to: 2 } },
    { gen: b, range: { from: 5, to: 6 } },
  ];

  test("singles makes a group of each client, in order", () => {
    expect(singles(group)).toEqual([
      [{ gen: a, range: { from: 0, to: 1 } }],
      [{ gen: a, range: { from: 1, to: 2 } }],
      [{ gen: b, range: { from: 5, to: 6 } }],
    ]);
    expect(singles(take(group, 2)).length).toBe(2);
  });
});

describe("targetsOf", () => {
  const all = ["papo", "floor", "bun-naive", "node-net"] as const;

  test("room, crowd and paced run against every baseline selected", () => {
    expect(targetsOf(RUNNERS.crowd, all)).toEqual([...all]);
    expect(targetsOf(RUNNERS.room, ["node-net"])).toEqual(["node-net"]);
  });

  test("big and cleanup run against the floor only; the rest against papo alone", () => {
    expect(targetsOf(RUNNERS.big, all)).toEqual(["papo", "floor"]);
    expect(targetsOf(RUNNERS.cleanup, ["papo", "node-net"])).toEqual(["papo"]);
    expect(targetsOf(RUNNERS.hiccup, all)).toEqual(["papo"]);
    expect(targetsOf(RUNNERS.web, ["floor"])).toEqual(["papo"]);
    expect(targetsOf(RUNNERS["web-room"], all)).toEqual(["papo"]);
  });
});
