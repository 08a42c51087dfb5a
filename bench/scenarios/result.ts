/**
 * What a scenario run against one target reports: the common figures every
 * flood has (deliveries, loss, rate, CPU of each side), plus named extras of
 * its own. The report and the JSON output read nothing else.
 */

import type { ScenarioName } from "../config.ts";
import type { TargetName } from "../targets.ts";

export interface Latency {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** One measured flood. A result with several keeps each, and its own figures are their medians. */
export interface Run {
  seconds: number;
  rate: number;
  serverNsPerDelivery: number;
}

export interface Result {
  scenario: ScenarioName;
  target: TargetName;
  clients: number;
  /** What was sent to whom, in words ("10 × 1000 lines of 64 B to 100 clients"). */
  shape: string;
  /** Chat lines the clients should have received, over all runs. */
  expected: number;
  received: number;
  /** expected − received (negative would mean duplicates). */
  lost: number;
  /** Each measured flood; the figures below are the medians over them. */
  runs: Run[];
  /** From the first line sent to the last line received, in seconds. */
  seconds: number;
  /** Deliveries per second over that window. */
  rate: number;
  /** Server CPU time (all threads) per delivery, in ns. */
  serverNsPerDelivery: number;
  /** Cores the server kept busy on average during the window (1 = one full core). */
  serverCores: number;
  /** The same for each load-generator process. */
  loadgenCores: number[];
  /**
   * The longest each load-generator process went without reading its sockets
   * (its event loop held up), in ms, the most over the runs: a stall of a
   * reader that is not the server's doing shows here.
   */
  loadgenGapMs: number[];
  /** Paced scenario: delivery latency in ms, from the send stamp in each line. */
  latencyMs?: Latency;
  /** Scenario-specific figures, machine-readable (bytes, ms, counts). */
  extra: Record<string, number>;
  /** The same, as text for the report: [label, value]. */
  figures: Array<[string, string]>;
  /** Why this run counts as failed (lost lines, leaks, no eviction...). Empty when it passed. */
  failures: string[];
  notes: string[];
}

/** A result with the common figures zeroed, for a scenario to fill in. */
export function emptyResult(scenario: ScenarioName, target: TargetName, clients: number): Result {
  return {
    scenario,
    target,
    clients,
    shape: "",
    expected: 0,
    received: 0,
    lost: 0,
    runs: [],
    seconds: 0,
    rate: 0,
    serverNsPerDelivery: 0,
    serverCores: 0,
    loadgenCores: [],
    loadgenGapMs: [],
    extra: {},
    figures: [],
    failures: [],
    notes: [],
  };
}

/**
 * One result from the rounds of a scenario taken in turn with others: every
 * run of every round, with the figures recomputed as medians over them all
 * (each extra the median of the rounds', the latency the median round's),
 * lines summed, and what a round said (figures, notes, failures) kept with
 * its round's number.
 */
export function mergeRounds(all: readonly Result[], with_: string): Result {
  if (all.length === 1) return all[0] as Result;
  // A round that crashed measured nothing: its failure is kept, its zeros are not figures.
  const ran = all.filter(
    (r) => r.runs.length > 0 || r.received > 0 || Object.keys(r.extra).length > 0,
  );
  const rounds = ran.length > 0 ? ran : all;
  const first = rounds[0];
  if (first === undefined) throw new Error("no round to merge");
  const runs = rounds.flatMap((r) => r.runs);
  const of = (pick: (r: Result) => number) => median(rounds.map(pick));
  // A figure every run has: the median over all runs (of the rounds' own, for a result without runs).
  const overRuns = (key: keyof Run) =>
    runs.length > 0 ? median(runs.map((r) => r[key])) : of((r) => r[key]);
  const each = <T>(list: (r: Result) => readonly T[], say: (item: T, round: number) => T) =>
    all.flatMap((r, i) => list(r).map((item) => say(item, i + 1)));
  const loadgens = Math.max(...rounds.map((r) => r.loadgenCores.length));
  // Latency (paced): the round whose p99 is the median one, whole, rather than a mix of rounds.
  const timed = rounds.filter((r) => r.latencyMs !== undefined);
  timed.sort((a, b) => (a.latencyMs?.p99 ?? 0) - (b.latencyMs?.p99 ?? 0));
  const latencyMs = timed[(timed.length - 1) >> 1]?.latencyMs;
  const extra: Record<string, number> = {};
  for (const key of new Set(rounds.flatMap((r) => Object.keys(r.extra)))) {
    extra[key] = median(rounds.flatMap((r) => (key in r.extra ? [r.extra[key] as number] : [])));
  }
  return {
    ...first,
    shape: `${first.shape}; ${all.length} rounds, taken in turn with ${with_}`,
    expected: rounds.reduce((n, r) => n + r.expected, 0),
    received: rounds.reduce((n, r) => n + r.received, 0),
    lost: rounds.reduce((n, r) => n + r.lost, 0),
    runs,
    seconds: overRuns("seconds"),
    rate: overRuns("rate"),
    serverNsPerDelivery: overRuns("serverNsPerDelivery"),
    serverCores: of((r) => r.serverCores),
    loadgenCores: Array.from({ length: loadgens }, (_, i) => of((r) => r.loadgenCores[i] ?? 0)),
    loadgenGapMs: Array.from({ length: loadgens }, (_, i) =>
      Math.max(...rounds.map((r) => r.loadgenGapMs[i] ?? 0)),
    ),
    extra,
    latencyMs,
    figures: each(
      (r) => r.figures,
      ([label, value], round) => [`${label} (round ${round})`, value] as [string, string],
    ),
    notes: each(
      (r) => r.notes,
      (note, round) => `round ${round}: ${note}`,
    ),
    failures: each(
      (r) => r.failures,
      (failure, round) => `round ${round}: ${failure}`,
    ),
  };
}

/** The middle value (the mean of the middle two for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
