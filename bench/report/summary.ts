/**
 * Turns a run's results into what a reader sees: the comparison table, each
 * scenario's own figures, the issue's goals met or missed, the micro
 * benchmarks, and the chart's data. A repeated scenario shows the median of
 * its runs with their range. Pure: results in, text out.
 */

import { GOALS, SCENARIOS } from "../config.ts";
import type { MicroResult } from "../micro.ts";
import type { Result } from "../scenarios/result.ts";
import { TARGETS, type TargetName } from "../targets.ts";
import { bytes, cores, count, ms, ns, plural, rate, rateRange, times } from "./format.ts";
import type { Bar, ChartSpec, Panel } from "./svg.ts";
import { markdownTable } from "./table.ts";

const BASELINES: readonly TargetName[] = ["floor", "node-net", "bun-naive"];

/** The scenarios the chart compares: those every baseline runs. */
const CHARTED: readonly string[] = ["room", "crowd", "paced"];

function find(
  results: readonly Result[],
  scenario: string,
  target: TargetName,
): Result | undefined {
  return results.find((r) => r.scenario === scenario && r.target === target);
}

/** papo's rate over a baseline's in the same scenario (medians of their runs), when both delivered. */
export function ratio(
  results: readonly Result[],
  scenario: string,
  baseline: TargetName,
): number | null {
  const papo = find(results, scenario, "papo");
  const base = find(results, scenario, baseline);
  if (!papo || !base || base.rate <= 0 || papo.rate <= 0) return null;
  return papo.rate / base.rate;
}

/** Each load generator's longest read gap: "3.1 ms + 2.8 ms"; "—" for none. */
export function gaps(r: Result): string {
  return r.loadgenGapMs.length > 0 ? r.loadgenGapMs.map(ms).join(" + ") : "—";
}

function latency(r: Result): string {
  const l = r.latencyMs;
  return l ? `${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.max)}` : "—";
}

/** The main table: one row per scenario and server. */
export function resultsTable(results: readonly Result[]): string {
  const rows = results.map((r) => {
    const vs = (b: TargetName) => {
      const x = r.target === "papo" ? ratio(results, r.scenario, b) : null;
      return x === null ? "—" : times(x);
    };
    return [
      r.scenario,
      r.target,
      count(r.clients),
      count(r.received),
      count(r.lost),
      rate(r.rate),
      r.runs.length > 1 ? rateRange(r.runs.map((run) => run.rate)) : "—",
      vs("floor"),
      vs("node-net"),
      vs("bun-naive"),
      r.serverNsPerDelivery > 0 ? count(r.serverNsPerDelivery) : "—",
      cores(r.serverCores),
      r.loadgenCores.map(cores).join(" + "),
      gaps(r),
      latency(r),
    ];
  });
  return markdownTable(
    [
      "scenario",
      "server",
      "clients",
      "deliveries",
      "lost",
      "rate",
      "min–max of runs",
      "× floor",
      "× node-net",
      "× bun-naive",
      "server ns/delivery",
      "server CPU",
      "loadgen CPU",
      "loadgen read gap max",
      "latency p50 / p99 / max",
    ],
    rows,
    ["left", "left", ...Array<"right">(13).fill("right")],
  );
}

/** Each result's own figures, one bullet per scenario and server. */
export function figuresList(results: readonly Result[]): string {
  return results
    .filter((r) => r.figures.length > 0 || r.notes.length > 0)
    .map((r) => {
      const text = [...r.figures.map(([k, v]) => `${k}: ${v}`), ...r.notes].join("; ");
      return `- ${r.scenario} (${r.target}): ${text}`;
    })
    .join("\n");
}

/** One cost of papo next to the same cost of the floor, in the same run. */
export interface FloorRatio {
  /** What is compared, for the report ("CPU per delivery"). */
  what: string;
  /** Where it was measured. */
  scenario: string;
  /** Key of the JSON object ("cpuPerDelivery"). */
  key: string;
  papo: number;
  floor: number;
  /** papo / floor: 1 is as lean as the floor, higher costs more. */
  ratio: number;
  /** How to write papo's and the floor's values. */
  format: (value: number) => string;
  /** Held to the goal; false: reported beside it (the first joins, which pay for compiling once; cleanup's CPU). */
  judged: boolean;
}

/**
 * papo's costs over the floor's (the leanest relay on Bun), each measured
 * when both ran: server CPU per delivery (crowd), memory per idle connection
 * and join time (big: the second 10,000 joins, as the floods run after a
 * warm-up; the first, from a cold start, are reported beside), and a mass
 * reset's cleanup (cleanup: its time; the server's CPU meanwhile beside).
 */
export function floorRatios(results: readonly Result[]): FloorRatio[] {
  const out: FloorRatio[] = [];
  const add = (
    key: string,
    what: string,
    scenario: string,
    pick: (r: Result) => number | undefined,
    format: (value: number) => string,
    judged = true,
  ) => {
    const papo = find(results, scenario, "papo");
    const floor = find(results, scenario, "floor");
    const p = papo && papo.failures.length === 0 ? pick(papo) : undefined;
    const f = floor && floor.failures.length === 0 ? pick(floor) : undefined;
    if (p === undefined || f === undefined || !(p > 0) || !(f > 0)) return;
    out.push({ what, scenario, key, papo: p, floor: f, ratio: p / f, format, judged });
  };
  add("cpuPerDelivery", "CPU per delivery", "crowd", (r) => r.serverNsPerDelivery, ns);
  add(
    "memoryPerConnection",
    "memory per connection",
    "big",
    (r) => r.extra.bytesPerConnection,
    bytes,
  );
  add("joins", "joins", "big", (r) => r.extra.rejoinMs, ms);
  add("coldJoins", "joins from a cold start", "big", (r) => r.extra.connectMs, ms, false);
  add("cleanup", "cleanup", "cleanup", (r) => r.extra.cleanupMs, ms);
  add("cleanupCpu", "cleanup's server CPU", "cleanup", (r) => r.extra.cleanupCpuMs, ms, false);
  return out;
}

/** The floor ratios as the JSON keeps them: { cpuPerDelivery: { papo, floor, ratio }, ... }. */
export function floorRatiosJson(
  results: readonly Result[],
): Record<string, { scenario: string; papo: number; floor: number; ratio: number }> {
  return Object.fromEntries(
    floorRatios(results).map((r) => [
      r.key,
      { scenario: r.scenario, papo: r.papo, floor: r.floor, ratio: r.ratio },
    ]),
  );
}

/** "papo / floor: CPU per delivery 1.4× (20 ns vs 14 ns), ...; goal within 1.2×"; null without any. */
export function floorLine(results: readonly Result[]): string | null {
  const ratios = floorRatios(results);
  if (ratios.length === 0) return null;
  const parts = ratios.map(
    (r) => `${r.what} ${times(r.ratio)} (${r.format(r.papo)} vs ${r.format(r.floor)})`,
  );
  const over = ratios.filter((r) => r.judged && r.ratio > GOALS.floorWithin).map((r) => r.what);
  const verdict = over.length === 0 ? "met" : `MISSED by ${over.join(", ")}`;
  return `- papo / floor: ${parts.join(", ")}; goal within ${times(GOALS.floorWithin)} (${verdict}, reported only)`;
}

/**
 * "- WebSocket / TCP, server CPU per delivery: room 1.3× (25 ns vs 19 ns),
 * crowd 1.4× (...); goal within 1.5×"; null when neither pair ran.
 */
export function webLine(results: readonly Result[]): string | null {
  const parts: string[] = [];
  let over = false;
  for (const [web, tcp] of [
    ["web-room", "room"],
    ["web", "crowd"],
  ] as const) {
    const w = find(results, web, "papo");
    const t = find(results, tcp, "papo");
    if (!w || !t || w.failures.length + t.failures.length > 0) continue;
    if (!(w.serverNsPerDelivery > 0) || !(t.serverNsPerDelivery > 0)) continue;
    const x = w.serverNsPerDelivery / t.serverNsPerDelivery;
    over ||= x > GOALS.webWithin;
    parts.push(`${tcp} ${times(x)} (${ns(w.serverNsPerDelivery)} vs ${ns(t.serverNsPerDelivery)})`);
  }
  if (parts.length === 0) return null;
  return `- WebSocket / TCP, server CPU per delivery: ${parts.join(", ")}; goal within ${times(GOALS.webWithin)} (${over ? "MISSED" : "met"}, reported only)`;
}

/** The issue's targets, each met, missed, or not measured in this run. */
export function goalsList(results: readonly Result[]): string {
  const lines: string[] = [];
  const mark = (ok: boolean) => (ok ? "met" : "MISSED");
  const crowd = ratio(results, "crowd", "node-net");
  if (crowd !== null) {
    lines.push(
      `- crowd, papo vs Node baseline ≥ ${GOALS.crowdVsNode}×: ${times(crowd)} (${mark(crowd >= GOALS.crowdVsNode)})`,
    );
  }
  const paced = find(results, "paced", "papo")?.latencyMs;
  if (paced) {
    const others = BASELINES.map((b) => find(results, "paced", b))
      .filter((r): r is Result => r?.latencyMs !== undefined)
      .map((r) => `${r.target} ${ms(r.latencyMs?.p99 ?? 0)}`);
    lines.push(
      `- paced p99 ≤ ${GOALS.pacedP99Ms} ms: ${ms(paced.p99)} (${mark(paced.p99 <= GOALS.pacedP99Ms)})${others.length ? `; baselines: ${others.join(", ")}` : ""}`,
    );
  }
  const perConn = find(results, "big", "papo")?.extra.bytesPerConnection;
  if (perConn !== undefined) {
    const limit = GOALS.bytesPerConnection * (1 + GOALS.bytesPerConnectionSlack);
    lines.push(
      `- server memory per idle connection at or under about ${bytes(GOALS.bytesPerConnection)} (${count(limit)} B at most): ${count(perConn)} B (${mark(perConn <= limit)})`,
    );
  }
  const shared = find(results, "cluster", "papo")?.extra;
  if (shared?.crossP99Ms !== undefined && shared.sameP99Ms !== undefined) {
    const extra = shared.crossP99Ms - shared.sameP99Ms;
    lines.push(
      `- cluster, cross-server paced p99 within ${GOALS.clusterCrossP99Ms} ms of same-server: ${ms(shared.crossP99Ms)} vs ${ms(shared.sameP99Ms)} (${mark(extra <= GOALS.clusterCrossP99Ms)})`,
    );
  }
  if (shared?.crowdShare !== undefined) {
    lines.push(
      `- cluster, crowd of the pair ≥ ${GOALS.clusterCrowdShare}× one server: ${times(shared.crowdShare)} (${mark(shared.crowdShare >= GOALS.clusterCrowdShare)})`,
    );
  }
  const floor = floorLine(results);
  if (floor !== null) lines.push(floor);
  const web = webLine(results);
  if (web !== null) lines.push(web);
  const hiccup = find(results, "hiccup", "papo");
  if (hiccup?.extra.rateVsControl !== undefined) {
    const runs = hiccup.runs.length;
    const lost = hiccup.failures.length === 0 ? "nothing lost, no one cut off" : "FAILED";
    lines.push(
      `- with ${plural(hiccup.extra.hiccupReaders ?? 0, "reader")} stopping for up to ${ms(hiccup.extra.hiccupLongestMs ?? 0)}, the others get ${Math.round(100 * hiccup.extra.rateVsControl)}% of the rate without hiccups (medians of ${plural(runs, "run")}); ${lost}`,
    );
  }
  const kept = find(results, "store", "papo")?.extra;
  if (kept?.storeShare !== undefined) {
    lines.push(
      `- store, line-heavy rate with the room on disk ≥ ${Math.round(100 * GOALS.storeShare)}% of --no-store's: ${Math.round(100 * kept.storeShare)}% (${mark(kept.storeShare >= GOALS.storeShare)}); paced p99 ${ms(kept.pacedP99StoreMs ?? 0)} vs ${ms(kept.pacedP99NoStoreMs ?? 0)} (runs without the store differ by ${ms(kept.pacedP99NoiseMs ?? 0)}); ${bytes(kept.bytesPerMillionLines ?? 0)} on disk per million lines; a turn on the relay's thread ${ms(kept.relayTurnMedianMs ?? 0)} median, ${ms(kept.relayTurnMaxMs ?? 0)} max; the writer thread's writes ${ms(kept.writeMedianMs ?? 0)} median, ${ms(kept.writeMaxMs ?? 0)} max`,
    );
  }
  const slow = find(results, "slow-reader", "papo");
  if (slow?.extra.rateVsControl !== undefined) {
    const runs = slow.runs.length;
    const stayed = slow.extra.slowEvicted === 0 ? "it stayed in the room" : "it was CUT OFF";
    lines.push(
      `- with a member that never reads, the others get ${Math.round(100 * slow.extra.rateVsControl)}% of the rate with it reading (medians of ${plural(runs, "run")}; goal ${Math.round(100 * GOALS.slowReaderRate)}%); ${stayed}`,
    );
  }
  return lines.join("\n");
}

/** Every failure of the run, one line each; empty when it passed. */
export function failureList(results: readonly Result[]): string[] {
  return results.flatMap((r) => r.failures.map((f) => `${r.scenario} (${r.target}): ${f}`));
}

export function microTable(micro: readonly MicroResult[]): string {
  return markdownTable(
    ["group", "case", "time per call", "per unit"],
    micro.map((m) => [m.group, m.name, ns(m.nsPerOp), `${ns(m.nsPerUnit)} / ${m.unit}`]),
    ["left", "left", "right", "right"],
  );
}

/** A bar for the chart: the result's median, with the range of its runs when there were several. */
function bar(r: Result, key: "rate" | "serverNsPerDelivery"): Bar {
  const runs = r.runs.map((run) => run[key]);
  const value = r[key];
  return runs.length > 1 ? { value, low: Math.min(...runs), high: Math.max(...runs) } : { value };
}

/** The chart: deliveries/s, server CPU per delivery, and paced latency, per scenario and server. */
export function chartSpec(results: readonly Result[], subtitle: string): ChartSpec {
  const compared = SCENARIOS.filter(
    (s) => CHARTED.includes(s) && results.some((r) => r.scenario === s && r.target !== "papo"),
  );
  const panel = (
    title: string,
    format: (v: number) => string,
    pick: (r: Result) => Bar | undefined,
    scenarios: readonly string[],
  ): Panel => {
    const values = new Map<string, Map<string, Bar>>();
    for (const scenario of scenarios) {
      const row = new Map<string, Bar>();
      for (const r of results.filter((x) => x.scenario === scenario)) {
        const v = pick(r);
        if (v !== undefined) row.set(r.target, v);
      }
      if (row.size > 0) values.set(scenario, row);
    }
    return { title, format, values };
  };
  const p99 = (r: Result) => (r.latencyMs ? { value: r.latencyMs.p99 } : undefined);
  return {
    title: "papo vs naive broadcasters",
    subtitle,
    servers: TARGETS.filter((t) => results.some((r) => r.target === t)),
    panels: [
      panel("Deliveries per second (higher is better)", rate, (r) => bar(r, "rate"), compared),
      panel(
        "Server CPU per delivery (lower is better)",
        ns,
        (r) => bar(r, "serverNsPerDelivery"),
        compared,
      ),
      panel("Paced latency p99 (lower is better)", ms, p99, ["paced"]),
    ],
  };
}
