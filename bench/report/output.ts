/**
 * The end of a run: the machine it ran on, the summary on stdout, and the
 * JSON results with the SVG chart written next to them.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, release, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { RESULTS_DIR } from "../config.ts";
import type { Options } from "../options.ts";
import { cpuModel } from "../proc.ts";
import type { RunOutput } from "../run.ts";
import {
  chartSpec,
  failureList,
  figuresList,
  floorRatiosJson,
  goalsList,
  resultsTable,
} from "./summary.ts";
import { chartSvg } from "./svg.ts";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  bun: string;
  node: string | null;
}

export function machine(): Machine {
  const node =
    Bun.which("node") === null
      ? null
      : Bun.spawnSync(["node", "--version"]).stdout.toString().trim();
  return {
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    bun: Bun.version,
    node,
  };
}

/** "2 × AMD EPYC, 24 GiB, Linux 6.1, Bun 1.4.5, Node v20.20.2". */
export function describe(m: Machine): string {
  return `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Bun ${m.bun}${m.node ? `, Node ${m.node}` : ""}`;
}

/** The summary printed after every scenario has run. */
export function summaryText(run: RunOutput, m: Machine, options: Options): string {
  const parts = [`## Summary${options.quick ? " (--quick sizes)" : ""}`, "", describe(m), ""];
  if (run.results.length > 0) parts.push(resultsTable(run.results), "");
  const figures = figuresList(run.results);
  if (figures) parts.push(figures, "");
  const goals = goalsList(run.results);
  if (goals) {
    const caveat = options.quick
      ? " (set for full sizes; --quick runs are too small to judge them)"
      : "";
    parts.push(`Goals${caveat}:`, goals, "");
  }
  for (const s of run.skipped) parts.push(`note: ${s}`);
  const failures = failureList(run.results);
  parts.push(
    failures.length === 0
      ? "PASS: no lost lines, no leaks"
      : `FAIL:\n${failures.map((f) => `  - ${f}`).join("\n")}`,
  );
  return parts.join("\n");
}

/** Write the JSON and the chart; returns both paths. */
export function writeResults(
  run: RunOutput,
  m: Machine,
  options: Options,
): { json: string; svg: string } {
  const json = options.json ?? join(RESULTS_DIR, options.quick ? "quick.json" : "latest.json");
  const svg = `${json.replace(/\.json$/i, "")}.svg`;
  mkdirSync(dirname(json), { recursive: true });
  const data = {
    date: new Date().toISOString(),
    quick: options.quick,
    machine: m,
    loadgens: options.loadgens,
    sizes: Object.fromEntries(options.scenarios.map((s) => [s, options.sizes[s]])),
    micro: run.micro,
    results: run.results,
    /** papo's costs over the floor's: { cpuPerDelivery: { scenario, papo, floor, ratio }, ... }. */
    floorRatios: floorRatiosJson(run.results),
    skipped: run.skipped,
    failures: failureList(run.results),
  };
  writeFileSync(json, `${JSON.stringify(data, null, 2)}\n`);
  const subtitle = `${options.quick ? "bun bench --quick" : "bun bench"} · ${describe(m)} · log scales · bars: median of the runs, lines: their range`;
  writeFileSync(svg, chartSvg(chartSpec(run.results, subtitle)));
  return { json, svg };
}
