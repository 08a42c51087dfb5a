import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { GapMeter } from "../../bench/loadgen/gap.ts";
import { nowUs } from "../../bench/loadgen/protocol.ts";

describe("GapMeter", () => {
  test("the longest gap is how late the timer fired at worst", () => {
    const gap = new GapMeter(2, 0);
    gap.tick(2);
    gap.tick(4.5);
    expect(gap.maxMs).toBeCloseTo(0.5, 6);
    gap.tick(36.5); // held up 30 ms past its due time
    gap.tick(38.5);
    expect(gap.maxMs).toBeCloseTo(30, 6);
  });

  test("a reset forgets what came before, and a tick early counts as none", () => {
    const gap = new GapMeter(2, 0);
    gap.tick(100);
    gap.reset(100.5);
    expect(gap.maxMs).toBe(0);
    gap.tick(101);
    expect(gap.maxMs).toBe(0);
    gap.tick(104);
    expect(gap.maxMs).toBeCloseTo(1, 6);
  });
});

describe("nowUs", () => {
  test("another process reads the same clock (send stamps are read by another process)", () => {
    const protocol = join(import.meta.dir, "../../bench/loadgen/protocol.ts");
    const before = nowUs();
    const child = Bun.spawnSync([
      process.execPath,
      "-e",
      `const { nowUs } = await import(${JSON.stringify(protocol)}); console.log(nowUs());`,
    ]);
    const after = nowUs();
    const theirs = Number(child.stdout.toString().trim());
    // Within the child's lifetime as seen from here (a clock that counted from
    // each process's start would read far less than `before`).
    expect(theirs).toBeGreaterThanOrEqual(before - 1000);
    expect(theirs).toBeLessThanOrEqual(after + 1000);
  });
});
