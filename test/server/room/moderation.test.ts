import { describe, expect, test } from "bun:test";
import { MODERATION, Moderation, readModeration } from "../../../src/server/room/moderation.ts";

/** A moderation on a clock the test moves. */
function moderated() {
  let now = 1_000_000;
  const m = new Moderation(() => now);
  return { m, pass: (ms: number) => (now += ms), now: () => now };
}

describe("Moderation", () => {
  test("a mute without minutes holds until unmuted, for any spelling of the name", () => {
    const { m, pass } = moderated();
    m.mute("Bob");
    pass(10 * 24 * 60 * 60_000);
    expect(m.check("bob", false)).toEqual({ kind: "muted", leftMs: null });
    expect(m.check("BOB", false)).toEqual({ kind: "muted", leftMs: null });
    expect(m.unmute("bOb")).toBe(true);
    expect(m.check("bob", false)).toBeNull();
    expect(m.unmute("bob")).toBe(false);
  });

  test("a mute with minutes says what is left, and ends on its own", () => {
    const { m, pass } = moderated();
    m.mute("bob", 2);
    pass(30_000);
    expect(m.check("bob", false)).toEqual({ kind: "muted", leftMs: 90_000 });
    pass(90_000);
    expect(m.isMuted("bob")).toBe(false);
    expect(m.check("bob", false)).toBeNull();
    // Ended: nothing left to lift, and the record no longer keeps it.
    expect(m.unmute("bob")).toBe(false);
    expect(m.saved().muted).toEqual([]);
  });

  test("operators are never limited", () => {
    const { m } = moderated();
    m.mute("prof");
    m.quiet = true;
    m.slow(10);
    expect(m.check("prof", true)).toBeNull();
    m.said("prof", true);
    expect(m.check("prof", true)).toBeNull();
  });

  test("slow mode: one line per N seconds, counted from the last said", () => {
    const { m, pass } = moderated();
    m.slow(5);
    expect(m.check("ana", false)).toBeNull();
    m.said("ana", false);
    pass(1_200);
    expect(m.check("ana", false)).toEqual({ kind: "slow", waitMs: 3_800 });
    // Someone else is not held by ana's line.
    expect(m.check("bea", false)).toBeNull();
    pass(3_800);
    expect(m.check("ana", false)).toBeNull();
    m.said("ana", false);
    m.slow(0);
    expect(m.check("ana", false)).toBeNull();
  });

  test("a mute and slow mode's wait follow a rename; quiet holds everyone", () => {
    const { m } = moderated();
    m.slow(60);
    m.mute("bob", 1);
    m.said("cy", false);
    expect(m.renamed("bob", "bobby")).toBe(true);
    expect(m.check("bob", false)).toBeNull();
    expect(m.check("bobby", false)?.kind).toBe("muted");
    expect(m.renamed("cy", "cyd")).toBe(false);
    expect(m.check("cyd", false)?.kind).toBe("slow");
    m.quiet = true;
    expect(m.check("dee", false)).toEqual({ kind: "quiet" });
  });

  test("saved and restored: the record's state back after a restart", () => {
    const { m, pass, now } = moderated();
    m.mute("bob");
    m.mute("cy", 1);
    m.slow(3);
    m.quiet = true;
    const saved = m.saved();
    expect(saved).toEqual({
      muted: [
        ["bob", null],
        ["cy", now() + 60_000],
      ],
      slowSeconds: 3,
      quiet: true,
    });
    const read = readModeration(JSON.parse(JSON.stringify(saved)));
    expect(read).toEqual(saved);
    const again = new Moderation(() => now());
    again.restore(read ?? saved);
    expect(again.isMuted("BOB")).toBe(true);
    expect(again.slowSeconds).toBe(3);
    expect(again.quiet).toBe(true);
    pass(60_000);
    expect(m.isMuted("cy")).toBe(false);
  });

  test("a damaged record reads as nothing, or is kept within bounds", () => {
    expect(readModeration(null)).toBeNull();
    expect(readModeration({ muted: "bob", slowSeconds: 1, quiet: false })).toBeNull();
    expect(
      readModeration({
        muted: [
          ["bob", "soon"],
          ["cy", null],
        ],
        slowSeconds: 1e9,
        quiet: false,
      }),
    ).toEqual({ muted: [["cy", null]], slowSeconds: MODERATION.maxSlowSeconds, quiet: false });
  });
});
