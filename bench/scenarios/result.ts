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

/** The middle value (the mean of the middle two for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
