/**
 * `bun bench soak`: start papo with flood control on and both transports,
 * run the load for N minutes while sampling the server, then stop the load,
 * let every member still in the room read the last line, and judge: no line
 * lost by a member inside the window, none read twice, and no measure of the
 * server growing without bound.
 */

import { SOAK, SOAK_GROWTH } from "../config.ts";
import { fdCount, rssBytes } from "../proc.ts";
import { count } from "../report/format.ts";
import type { Progress } from "../report/progress.ts";
import { startServer } from "../targets.ts";
import { type Growth, growth, type Point } from "./growth.ts";
import { type Counts, Ledger, minus, noCounts } from "./ledger.ts";
import { Load, OP_PASSWORD } from "./load.ts";
import type { Member } from "./member.ts";
import { scrape } from "./metrics.ts";
import { type MinuteRow, minuteLine, minuteRow, type Sample } from "./minutes.ts";

const MIB = 1024 * 1024;

export interface SoakResult {
  minutes: number;
  rows: MinuteRow[];
  samples: Sample[];
  totals: Counts;
  growth: { rss: Growth; heap: Growth | null; fds: Growth };
  /** What the load did (members churned, resumes, floods, kicks, bans). */
  done: Record<string, number>;
  /** Room lines the members read, each checked for loss and duplicates. */
  checked: number;
  /** Why heap and loop delay are missing, when they are. */
  metricsProblem: string | null;
  failures: string[];
  notes: string[];
}

/** Run the soak for `minutes` (a fraction of one for tests) and judge it. */
export async function runSoak(minutes: number, progress: Progress): Promise<SoakResult> {
  const server = await startServer("papo", {
    maxClients: 2000,
    transport: "websocket",
    floodControl: true,
    papoArgs: ["--op-password", OP_PASSWORD, "--window-bytes", String(SOAK.windowBytes)],
  });
  const ledger = new Ledger();
  const door = { host: server.host, port: server.port, webPort: server.webPort };
  const load = new Load(door, ledger);
  const result: SoakResult = {
    minutes,
    rows: [],
    samples: [],
    totals: noCounts(),
    growth: {
      rss: growth([], bound("rss"), "MiB"),
      heap: null,
      fds: growth([], bound("fds"), "descriptors"),
    },
    done: load.done,
    checked: 0,
    metricsProblem: null,
    failures: [],
    notes: [],
  };
  try {
    const witness = await load.join("witness", "tcp", { witness: true });
    if (witness === null) throw new Error("the witness could not join");
    await load.start();
    progress.say(`soak: ${minutes} min, ${load.live.size} members in the room; one row a minute\n`);
    await sample({ pid: server.pid, door, minutes, load, ledger, result, progress });
    await load.stop();
    await drain(load, witness, ledger, result);
  } catch (error) {
    result.failures.push(`did not complete: ${(error as Error).message}`);
  } finally {
    await load.stop();
    load.closeAll();
    const code = await server.stop();
    if (code !== 0) result.failures.push(`the server exited with ${code ?? "a kill"} on SIGTERM`);
  }
  result.checked = ledger.checked;
  judge(result, load);
  return result;
}

/** What the sampling reads and writes. */
interface Sampling {
  pid: number;
  door: { host: string; webPort: number };
  minutes: number;
  load: Load;
  ledger: Ledger;
  result: SoakResult;
  progress: Progress;
}

/** Sample the server every SOAK.sampleMs for `minutes`, closing a row each minute. */
async function sample({
  pid,
  door,
  minutes,
  load,
  ledger,
  result,
  progress,
}: Sampling): Promise<void> {
  const start = performance.now();
  const end = start + minutes * 60_000;
  let minuteSamples: Sample[] = [];
  let countsBefore = noCounts();
  let saidBefore = 0;
  let minute = 1;
  let next = start;
  while (next < end) {
    next = Math.min(next + SOAK.sampleMs, end);
    await Bun.sleep(Math.max(0, next - performance.now()));
    if (rssBytes(pid) === 0) throw new Error("the server died");
    const s = await read(pid, door, (performance.now() - start) / 60_000, result);
    result.samples.push(s);
    minuteSamples.push(s);
    ledger.settle();
    progress.show(`soak · minute ${minute} of ${minutes} · ${load.live.size} members`);
    // A row each whole minute, and one for what is left of a soak of a fraction of one.
    if (next - start >= minute * 60_000 - 1 || next >= end) {
      const counts = { ...ledger.counts };
      const row = minuteRow(
        minute,
        minuteSamples,
        minus(counts, countsBefore),
        load.live.size,
        ledger.said - saidBefore,
      );
      result.rows.push(row);
      progress.say(minuteLine(row));
      countsBefore = counts;
      saidBefore = ledger.said;
      minuteSamples = [];
      minute++;
    }
  }
}

async function read(
  pid: number,
  door: { host: string; webPort: number },
  minute: number,
  result: SoakResult,
): Promise<Sample> {
  const rss = rssBytes(pid);
  const fds = fdCount(pid);
  const m = await scrape(door.host, door.webPort);
  if (!m.ok) result.metricsProblem ??= m.why;
  return {
    minute,
    rssBytes: rss,
    fds,
    heapBytes: m.ok ? m.heapBytes : null,
    loopP99Ms: m.ok ? m.loopP99Ms : null,
  };
}

/**
 * The load has stopped: once the lines flood control still held have been
 * said (a second without a new one), the operator says a last line, and every
 * member still in the room must read up to it (slow readers and resumed
 * members catch up from the log). What they then count as lost or read twice
 * goes into the last minute's row.
 */
async function drain(load: Load, witness: Member, ledger: Ledger, result: SoakResult) {
  const before = { ...ledger.counts };
  const deadline = performance.now() + SOAK.drainMs;
  let said = -1;
  while (performance.now() < deadline && ledger.said !== said) {
    said = ledger.said;
    await Bun.sleep(1000);
  }
  const seq = (m: Member) => Number(m.lastPos.split(".")[1] ?? 0);
  const op = [...load.live].find((m) => m.name === "operator");
  const quiet = seq(witness);
  op?.command("the soak is over");
  while (performance.now() < deadline && seq(witness) === quiet) await Bun.sleep(50);
  const target = seq(witness);
  const behind = () => [...load.live].filter((m) => m !== op && m.connected && seq(m) < target);
  while (performance.now() < deadline && behind().length > 0) await Bun.sleep(100);
  const late = behind();
  if (late.length > 0) {
    const names = late.slice(0, 3).map((m) => m.name);
    result.failures.push(
      `${late.length} members had not read the last line ${SOAK.drainMs / 1000} s after the load stopped (${names.join(", ")})`,
    );
  }
  ledger.settle();
  const last = result.rows[result.rows.length - 1];
  if (last !== undefined) {
    const extra = minus(ledger.counts, before);
    for (const key of Object.keys(extra) as Array<keyof Counts>) last[key] += extra[key];
  }
}

function bound(measure: "rss" | "heap" | "fds") {
  const g = SOAK_GROWTH;
  const [perMinute, slack] =
    measure === "rss"
      ? [g.rssMiBPerMinute, g.rssSlackMiB]
      : measure === "heap"
        ? [g.heapMiBPerMinute, g.heapSlackMiB]
        : [g.fdsPerMinute, g.fdsSlack];
  return { perMinute, slack, minSamples: g.minSamples, minMinutes: g.minMinutes };
}

/** The verdict: lines, closes, resumes, and growth. */
function judge(result: SoakResult, load: Load): void {
  const points = (pick: (s: Sample) => number | null): Point[] =>
    result.samples.flatMap((s) => {
      const v = pick(s);
      return v === null ? [] : [{ minute: s.minute, value: v }];
    });
  result.growth.rss = growth(
    points((s) => s.rssBytes / MIB),
    bound("rss"),
    "MiB",
  );
  result.growth.fds = growth(
    points((s) => s.fds),
    bound("fds"),
    "descriptors",
  );
  const heap = points((s) => (s.heapBytes === null ? null : s.heapBytes / MIB));
  result.growth.heap = heap.length > 0 ? growth(heap, bound("heap"), "MiB") : null;
  for (const [what, g] of [
    ["RSS", result.growth.rss],
    ["heap", result.growth.heap],
    ["descriptors", result.growth.fds],
  ] as const) {
    if (g?.unbounded) result.failures.push(`${what} ${g.unbounded}`);
  }
  if (result.growth.rss.slope === null)
    result.notes.push(
      `growth is judged from ${SOAK_GROWTH.minMinutes} minutes on: only reported here`,
    );
  const t = result.rows.reduce(
    (sum, r) => ({
      lost: sum.lost + r.lost,
      duplicates: sum.duplicates + r.duplicates,
      pastWindow: sum.pastWindow + r.pastWindow,
      missed: sum.missed + r.missed,
      unsaid: sum.unsaid + r.unsaid,
    }),
    noCounts(),
  );
  result.totals = t;
  if (t.lost > 0) result.failures.push(`${count(t.lost)} lines lost by members inside the window`);
  if (t.unsaid > 0)
    result.failures.push(`${count(t.unsaid)} numbered lines never reached the witness`);
  if (t.duplicates > 0) result.failures.push(`${count(t.duplicates)} lines read twice`);
  if (t.pastWindow > 0)
    result.notes.push(
      `${count(t.pastWindow)} times a member fell past the window and was told it missed ${count(t.missed)} lines (not counted as lost)`,
    );
  const { tally } = load;
  if (tally.unexpectedCloses > 0)
    result.failures.push(`${count(tally.unexpectedCloses)} members closed by the server unasked`);
  if (tally.resumeRefused > 0)
    result.failures.push(`${count(tally.resumeRefused)} resumes refused within the grace`);
  result.failures.push(...load.failures);
  for (const odd of tally.oddities) result.notes.push(`unexpected line: ${odd}`);
  if (result.metricsProblem !== null)
    result.notes.push(`${result.metricsProblem}: no heap or event-loop figures`);
}
