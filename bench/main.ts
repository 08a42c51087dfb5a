#!/usr/bin/env bun
/**
 * `bun bench`: micro benchmarks, then flood scenarios over real sockets
 * against papo, the floor (the leanest relay on Bun) and two naive
 * baselines; prints a summary, writes JSON and an SVG chart, and exits
 * non-zero if any line was lost or anything leaked. `bun bench soak` is the
 * long mixed load of soak/ instead.
 * Speed alone never fails a run: the goals are reported, not enforced.
 */

import { argsProblem, isParseArgsError } from "../src/cli/flags.ts";
import { killAll } from "./children.ts";
import { helpText, parseOptions, UsageError } from "./options.ts";
import { machine, summaryText, writeResults } from "./report/output.ts";
import { Progress } from "./report/progress.ts";
import { failureList } from "./report/summary.ts";
import { runAll } from "./run.ts";
import { parseSoakOptions, soakHelpText } from "./soak/options.ts";
import { soakSummary, writeSoak } from "./soak/report.ts";
import { runSoak } from "./soak/run.ts";

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "soak") return soak(argv.slice(1));
  const options = parseOptions(argv);
  if (options.help) {
    process.stdout.write(helpText());
    return 0;
  }
  const progress = new Progress();
  const m = machine();
  const run = await runAll(options, progress);
  progress.say(`\n${summaryText(run, m, options)}`);
  const written = writeResults(run, m, options);
  progress.say(`\nresults: ${written.json}\nchart:   ${written.svg}`);
  return failureList(run.results).length === 0 ? 0 : 1;
}

/** `bun bench soak`: one long mixed load on papo, apart from the scenarios (it takes minutes). */
async function soak(argv: string[]): Promise<number> {
  const options = parseSoakOptions(argv);
  if (options.help) {
    process.stdout.write(soakHelpText());
    return 0;
  }
  const progress = new Progress();
  const m = machine();
  const result = await runSoak(options.minutes, progress);
  progress.say(`\n${soakSummary(result, m)}`);
  writeSoak(result, m, options);
  progress.say(`\nresults: ${options.json}\nplot:    ${options.svg}`);
  return result.failures.length === 0 ? 0 : 1;
}

// An interrupted run must not leave servers or load generators behind.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

try {
  process.exit(await main(process.argv.slice(2)));
} catch (error) {
  killAll();
  if (isParseArgsError(error)) {
    process.stderr.write(`bench: ${argsProblem(error)} (try --help)\n`);
    process.exit(2);
  }
  if (error instanceof UsageError) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
