/**
 * Runs what the options select, in order: micro benchmarks, then each
 * scenario against each server it compares. A scenario that throws becomes a
 * failed result; the run goes on, so one broken scenario does not hide the rest.
 */

import { OVER_TCP, ROUNDS, type ScenarioName, TAKEN_IN_TURN } from "./config.ts";
import { type MicroResult, runMicro } from "./micro.ts";
import type { Options } from "./options.ts";
import { cores, count, ms, rate, rateRange, times } from "./report/format.ts";
import type { Progress } from "./report/progress.ts";
import { gaps, microTable } from "./report/summary.ts";
import type { Context } from "./scenarios/harness.ts";
import { RUNNERS, targetsOf } from "./scenarios/index.ts";
import { emptyResult, mergeRounds, type Result } from "./scenarios/result.ts";
import { isNaive, type TargetName, unavailable } from "./targets.ts";

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
  const done = new Set<ScenarioName>();
  for (const scenario of options.scenarios) {
    if (done.has(scenario)) continue;
    const group = (TAKEN_IN_TURN.find((g) => g.includes(scenario)) ?? [scenario]).filter((s) =>
      options.scenarios.includes(s),
    );
    for (const s of group) done.add(s);
    const jobs = group.flatMap((s) =>
      targetsOf(RUNNERS[s], options.targets)
        .filter((target) => unavailable(target) === null)
        .map((target) => ({ scenario: s, target })),
    );
    const rounds = await inTurn(jobs.filter(takesTurns), options, ctx);
    for (const job of jobs) {
      const result = rounds.get(job) ?? (await runOne(job, options, ctx));
      compareTransport(result, out.results);
      out.results.push(result);
      progress.say(headline(result));
    }
  }
  return out;
}

interface Job {
  scenario: ScenarioName;
  target: TargetName;
}

/** papo and the floor take turns; the naive baselines, 40-150x slower, run once. */
const takesTurns = (job: Job) => !isNaive(job.target);

function runOne(job: Job, options: Options, ctx: Context): Promise<Result> {
  return RUNNERS[job.scenario]
    .run(job.target, options.sizes[job.scenario], ctx)
    .catch((error: Error) => crashed(job.scenario, job.target, error));
}

/**
 * The jobs of a group, round after round, each round running every job once
 * (TAKEN_IN_TURN): each job's result merged from its rounds. A single job
 * has nothing to take turns with and is left to run once.
 */
async function inTurn(jobs: Job[], options: Options, ctx: Context): Promise<Map<Job, Result>> {
  const merged = new Map<Job, Result>();
  if (jobs.length < 2) return merged;
  const rounds = options.quick ? ROUNDS.quick : ROUNDS.full;
  const parts = new Map<Job, Result[]>(jobs.map((job) => [job, []]));
  for (let round = 1; round <= rounds; round++) {
    const at = rounds > 1 ? { ...ctx, round: `round ${round} of ${rounds}` } : ctx;
    for (const job of jobs) parts.get(job)?.push(await runOne(job, options, at));
  }
  const name = (job: Job) => `${job.scenario} · ${job.target}`;
  for (const job of jobs) {
    const others = jobs.filter((j) => j !== job).map(name);
    merged.set(job, mergeRounds(parts.get(job) ?? [], others.join(", ")));
  }
  return merged;
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
