/**
 * The end of a soak: the summary on stdout (the per-minute table, growth,
 * what the load did, the verdict), the JSON results, and the plot.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { count } from "../report/format.ts";
import { describe, type Machine } from "../report/output.ts";
import { soakSvg } from "../report/soak-svg.ts";
import type { Growth } from "./growth.ts";
import { minuteTable } from "./minutes.ts";
import type { SoakOptions } from "./options.ts";
import type { SoakResult } from "./run.ts";

const MIB = 1024 * 1024;

/** An axis or point label: whole numbers from 10 on, one decimal under. */
function axisLabel(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function growthText(g: Growth | null, unit: string): string {
  if (g === null) return "not measured";
  const slope =
    g.slope === null
      ? "too short to judge growth"
      : `${g.slope.toFixed(2)} ${unit}/min over the second half`;
  return `${g.first.toFixed(1)} → ${g.last.toFixed(1)} ${unit}, ${slope}`;
}

export function soakSummary(r: SoakResult, m: Machine): string {
  const d = r.done;
  const parts = [
    `## Soak, ${r.minutes} min`,
    "",
    describe(m),
    "",
    minuteTable(r.rows),
    "",
    `load: ${count(d.churned ?? 0)} members came and went, ${count(d.resumes ?? 0)} resumes, ${count(d.stops ?? 0)} stops of reading, ${count(d.floods ?? 0)} floods, ${count(d.kicks ?? 0)} kicks, ${count(d.bans ?? 0)} bans`,
    `RSS: ${growthText(r.growth.rss, "MiB")}`,
    `heap: ${growthText(r.growth.heap, "MiB")}`,
    `descriptors: ${growthText(r.growth.fds, "descriptors")}`,
    `lines: ${count(r.checked)} deliveries checked, ${count(r.totals.lost + r.totals.unsaid)} lost, ${count(r.totals.duplicates)} read twice, ${count(r.totals.pastWindow)} falls past the window (${count(r.totals.missed)} lines missed, told)`,
    "",
  ];
  for (const note of r.notes) parts.push(`note: ${note}`);
  parts.push(
    r.failures.length === 0
      ? "PASS: no line lost or read twice, nothing grows without bound"
      : `FAIL:\n${r.failures.map((f) => `  - ${f}`).join("\n")}`,
  );
  return parts.join("\n");
}

/** Write the JSON and the plot where the options say. */
export function writeSoak(r: SoakResult, m: Machine, options: SoakOptions): void {
  mkdirSync(dirname(options.json), { recursive: true });
  const data = { date: new Date().toISOString(), quick: options.quick, machine: m, ...r };
  writeFileSync(options.json, `${JSON.stringify(data, null, 2)}\n`);
  mkdirSync(dirname(options.svg), { recursive: true });
  const perMinute = (pick: (row: SoakResult["rows"][number]) => number | null) =>
    r.rows.map((row) => ({ minute: row.minute, value: pick(row) }));
  const svg = soakSvg({
    title: `papo soak, ${r.minutes} min`,
    subtitle: `bun bench soak · ${describe(m)} · per minute: medians of ${r.samples.length} samples, loop p99 the highest`,
    series: [
      { title: "RSS (MiB)", format: axisLabel, points: perMinute((row) => row.rssBytes / MIB) },
      {
        title: "heap used (MiB)",
        format: axisLabel,
        points: perMinute((row) => (row.heapBytes === null ? null : row.heapBytes / MIB)),
      },
      { title: "descriptors", format: (v) => count(v), points: perMinute((row) => row.fds) },
      {
        title: "event-loop delay p99 (ms)",
        format: axisLabel,
        points: perMinute((row) => row.loopP99Ms),
      },
    ],
  });
  writeFileSync(options.svg, svg);
}
