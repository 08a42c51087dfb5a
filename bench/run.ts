/**
 * Runs what the options select, in order: micro benchmarks, then each
 * scenario against each server it compares. A scenario that throws becomes a
 * failed result; the run goes on, so one broken scenario does not hide the rest.
 */

import { OVER_TCP, type ScenarioName } from "./config.ts";
import { type MicroResult, runMicro } from "./micro.ts";
import type { Options } from "./options.ts";
import { cores, count, ms, rate, rateRange, times } from "./report/format.ts";
import type { Progress } from "./report/progress.ts";
import { gaps, microTable } from "./report/summary.ts";
import { RUNNERS, targetsOf } from "./scenarios/index.ts";
import { emptyResult, type Result } from "./scenarios/result.ts";
import { type TargetName, unavailable } from "./targets.ts";

export interface RunOutput {
  micro: MicroResult[];
  results: Result[];
  /** Targets skipped, with why. */
  skipped: string[];
}

export async function runAll(options: Options, progress: Progress): Promise<RunOutput> {
  const out: RunOutput = { micro: [], results: [], skipped: [] };
  if (options.micro) {
    progress.show("micro benchmarks…");
    out.micro = await runMicro(options.quick);
    progress.say(`\n## Micro benchmarks\n\n${microTable(out.micro)}\n`);
  }
  const ctx = { quick: options.quick, loadgens: options.loadgens, progress };
  for (const target of options.targets) {
    const why = unavailable(target);
    if (why !== null) out.skipped.push(`${target}: skipped, ${why}`);
  }
  if (options.scenarios.length > 0) progress.say("## Scenarios\n");
  for (const scenario of options.scenarios) {
    const runner = RUNNERS[scenario];
    for (const target of targetsOf(runner, options.targets)) {
      if (unavailable(target) !== null) continue;
      const result = await runner
        .run(target, options.sizes[scenario], ctx)
        .catch((error: Error) => crashed(scenario, target, error));
      compareTransport(result, out.results);
      out.results.push(result);
      progress.say(headline(result));
    }
  }
  return out;
}

/**
 * web-room, web and tls repeat a TCP scenario on another transport: next to
 * papo's TCP result of the same run, say what the transport costs (rate and
 * server CPU).
 */
function compareTransport(result: Result, earlier: readonly Result[]): void {
  const over = OVER_TCP[result.scenario];
  if (over === undefined) return;
  const tcp = earlier.find((r) => r.scenario === over && r.target === "papo");
  if (!tcp || tcp.rate <= 0 || result.rate <= 0 || tcp.serverNsPerDelivery <= 0) return;
  const rateVsTcp = result.rate / tcp.rate;
  const nsVsTcp = result.serverNsPerDelivery / tcp.serverNsPerDelivery;
  result.extra.rateVsTcp = rateVsTcp;
  result.extra.nsVsTcp = nsVsTcp;
  result.notes.push(
    `vs plain TCP (${over}): ${times(rateVsTcp)} the deliveries/s, ${times(nsVsTcp)} the server ns/delivery`,
  );
}

function crashed(scenario: ScenarioName, target: TargetName, error: Error): Result {
  const result = emptyResult(scenario, target, 0);
  result.failures.push(`did not complete: ${error.message}`);
  return result;
}

/** One line per finished run, printed as soon as it is known. */
export function headline(r: Result): string {
  const got = `${r.scenario} · ${r.target}: ${count(r.received)} of ${count(r.expected)} lines`;
  const runs = r.runs.length;
  const parts = [
    runs > 1
      ? `${got} in ${runs} runs of ${r.seconds.toFixed(2)} s (median) = ${rate(r.rate)} (runs ${rateRange(r.runs.map((x) => x.rate))})`
      : `${got} in ${r.seconds.toFixed(2)} s = ${rate(r.rate)}`,
    `lost ${count(r.lost)}`,
  ];
  if (r.received > 0) {
    parts.push(
      `server ${Math.round(r.serverNsPerDelivery)} ns/delivery (${cores(r.serverCores)} CPU)`,
    );
    parts.push(`loadgens ${r.loadgenCores.map(cores).join(" + ")}`);
  }
  if (r.loadgenGapMs.length > 0) parts.push(`loadgen read gap max ${gaps(r)}`);
  if (r.latencyMs)
    parts.push(
      `latency p50 ${ms(r.latencyMs.p50)}, p99 ${ms(r.latencyMs.p99)}, max ${ms(r.latencyMs.max)}`,
    );
  const lines = [parts.join(", ")];
  if (r.shape) lines.push(`    shape: ${r.shape}`);
  for (const [k, v] of r.figures) lines.push(`    ${k}: ${v}`);
  for (const note of r.notes) lines.push(`    note: ${note}`);
  for (const f of r.failures) lines.push(`    FAILED: ${f}`);
  return lines.join("\n");
}
