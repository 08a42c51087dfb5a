import { describe, expect, test } from "bun:test";
import { emptyResult, mergeRounds, type Result } from "../../bench/scenarios/result.ts";

function round(ns: number[], extra: Record<string, number>, failures: string[] = []): Result {
  const r = emptyResult("crowd", "papo", 1000);
  r.shape = "1000 × 5 lines, 3 runs";
  r.runs = ns.map((n) => ({ seconds: n / 100, rate: 1000 / n, serverNsPerDelivery: n }));
  r.expected = 300;
  r.received = failures.length > 0 ? 290 : 300;
  r.lost = r.expected - r.received;
  r.serverNsPerDelivery = ns[1] as number;
  r.serverCores = extra.cores ?? 0;
  r.loadgenCores = [0.5, 0.6];
  r.loadgenGapMs = [extra.gap ?? 10, 20];
  r.extra = extra;
  r.figures = [["warm-up", `${extra.floods} floods`]];
  r.failures = failures;
  return r;
}

describe("mergeRounds", () => {
  test("one result of every round's runs: medians over all runs, lines summed", () => {
    const merged = mergeRounds(
      [
        round([30, 40, 50], { floods: 12, cores: 0.4, gap: 30 }),
        round([20, 25, 60], { floods: 14, cores: 0.6, gap: 90 }),
        round([35, 45, 70], { floods: 13, cores: 0.5, gap: 10 }, ["10 lines lost"]),
      ],
      "crowd · floor",
    );
    expect(merged.runs.length).toBe(9);
    // Sorted: 20 25 30 35 40 45 50 60 70; not the median of the rounds' medians (40, 25, 45).
    expect(merged.serverNsPerDelivery).toBe(40);
    expect(merged.expected).toBe(900);
    expect(merged.received).toBe(890);
    expect(merged.lost).toBe(10);
    expect(merged.extra.floods).toBe(13);
    expect(merged.serverCores).toBe(0.5);
    expect(merged.loadgenGapMs).toEqual([90, 20]);
    expect(merged.failures).toEqual(["round 3: 10 lines lost"]);
    expect(merged.figures.map(([label]) => label)).toEqual([
      "warm-up (round 1)",
      "warm-up (round 2)",
      "warm-up (round 3)",
    ]);
    expect(merged.shape).toBe("1000 × 5 lines, 3 runs; 3 rounds, taken in turn with crowd · floor");
  });

  test("the latency is one round's whole, the one with the median p99", () => {
    const rounds = [90, 10, 50].map((p99) => {
      const r = round([30], { floods: 1 });
      r.latencyMs = { p50: p99 / 10, p99, max: p99 * 2, mean: p99 / 5 };
      return r;
    });
    expect(mergeRounds(rounds, "paced · floor").latencyMs).toEqual({
      p50: 5,
      p99: 50,
      max: 100,
      mean: 10,
    });
  });

  test("a round that crashed adds its failure, and no zeros to the figures", () => {
    const crashed = emptyResult("crowd", "papo", 0);
    crashed.failures.push("did not complete: boom");
    const merged = mergeRounds(
      [crashed, round([30, 40, 50], { floods: 12 }), round([20, 60, 70], { floods: 14 })],
      "crowd · floor",
    );
    expect(merged.serverNsPerDelivery).toBe(45);
    expect(merged.clients).toBe(1000);
    expect(merged.extra.floods).toBe(13);
    expect(merged.failures).toEqual(["round 1: did not complete: boom"]);
    expect(merged.shape).toBe("1000 × 5 lines, 3 runs; 3 rounds, taken in turn with crowd · floor");
  });

  test("a single round is the result itself", () => {
    const only = round([30, 40, 50], { floods: 2 });
    expect(mergeRounds([only], "nobody")).toBe(only);
  });
});
