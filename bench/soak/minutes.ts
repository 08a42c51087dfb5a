/**
 * The soak's per-minute figures: the server's samples of a minute folded into
 * one row (medians for levels, the highest event-loop p99), and the rows as the
 * terminal's table. Pure.
 */

import { bytes, count, ms } from "../report/format.ts";
import { markdownTable } from "../report/table.ts";
import type { Counts } from "./ledger.ts";

/** One reading of the server. Heap and loop delay come from /metrics: null without it. */
export interface Sample {
  /** Minutes since the load started. */
  minute: number;
  rssBytes: number;
  fds: number;
  heapBytes: number | null;
  loopP99Ms: number | null;
}

/** What one minute of the soak did and cost. */
export interface MinuteRow extends Counts {
  /** 1 for the first minute. */
  minute: number;
  /** Members in the room at the minute's end, by the soak's own count. */
  members: number;
  /** Chat lines said in the room during the minute (as the witness read them). */
  said: number;
  rssBytes: number;
  fds: number;
  heapBytes: number | null;
  loopP99Ms: number | null;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Fold a minute's samples into its row: RSS, heap and descriptors as medians, loop p99 as the highest. */
export function minuteRow(
  minute: number,
  samples: readonly Sample[],
  counts: Counts,
  members: number,
  said: number,
): MinuteRow {
  const heaps = samples.flatMap((s) => (s.heapBytes === null ? [] : [s.heapBytes]));
  const loops = samples.flatMap((s) => (s.loopP99Ms === null ? [] : [s.loopP99Ms]));
  return {
    minute,
    members,
    said,
    rssBytes: median(samples.map((s) => s.rssBytes)),
    fds: Math.round(median(samples.map((s) => s.fds))),
    heapBytes: heaps.length > 0 ? median(heaps) : null,
    loopP99Ms: loops.length > 0 ? Math.max(...loops) : null,
    ...counts,
  };
}

/** One row as a line of its own, printed as each minute ends. */
export function minuteLine(r: MinuteRow): string {
  const cells = cellsOf(r);
  return `minute ${cells[0]}: ${HEADER.slice(1)
    .map((h, i) => `${h} ${cells[i + 1]}`)
    .join(", ")}`;
}

const HEADER = [
  "min",
  "members",
  "lines said",
  "RSS",
  "heap",
  "fds",
  "loop p99",
  "lost",
  "dup",
  "past window",
];

function cellsOf(r: MinuteRow): string[] {
  return [
    String(r.minute),
    count(r.members),
    count(r.said),
    bytes(r.rssBytes),
    r.heapBytes === null ? "n/a" : bytes(r.heapBytes),
    count(r.fds),
    r.loopP99Ms === null ? "n/a" : ms(r.loopP99Ms),
    count(r.lost + r.unsaid),
    count(r.duplicates),
    r.pastWindow === 0 ? "0" : `${count(r.pastWindow)} (${count(r.missed)} lines)`,
  ];
}

/** The per-minute table, as Markdown lined up for a terminal. */
export function minuteTable(rows: readonly MinuteRow[]): string {
  return markdownTable(
    HEADER,
    rows.map(cellsOf),
    HEADER.map(() => "right"),
  );
}
