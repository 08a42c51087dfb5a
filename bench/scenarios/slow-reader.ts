/**
 * Slow reader: a room flood plus one member that never reads. Nobody waits
 * for it: the readers must get every line at the rate of the same flood with
 * that member reading (run after it, as a control; GOALS.slowReaderRate says
 * how close), the member must stay in the room (it is a position in the
 * room's log, never evicted for being slow), the server's memory must stay
 * bounded by the window rather than by the size of the flood, and once the
 * member reads again it must get what the window still holds (and one line
 * saying how many it missed). Each run brings a new slow reader, which then
 * reads on through the later floods; the rates compared are the medians of
 * the runs.
 */

import {
  GOALS,
  READ_BACK_WITHIN_MS,
  SLOW_RSS_SLACK_BYTES,
  SLOW_RSS_WINDOW_FACTOR,
  WHO_TIMEOUT_MS,
} from "../config.ts";
import { type Group, take } from "../loadgen/pool.ts";
import { rssBytes } from "../proc.ts";
import { bytes, count, plural, rate, rateRange } from "../report/format.ts";
import {
  type Context,
  connectAll,
  type FloodOutcome,
  type FloodPlan,
  flood,
  record,
  type Setup,
  type Sizes,
  warmUp,
  withServer,
} from "./harness.ts";
import { emptyResult, median, type Result } from "./result.ts";

export function slowReader(s: Sizes<"slow-reader">, ctx: Context): Promise<Result> {
  const window = s["window-kib"] * 1024;
  const total = s.clients + 1;
  const options = {
    maxClients: total + s.runs + 16,
    papoArgs: ["--window-bytes", String(window)],
  };
  return withServer("slow-reader", "papo", options, ctx, async (setup) => {
    const result = emptyResult("slow-reader", "papo", total);
    const readers = (await connectAll(setup, s.clients, "r")).group;
    // The slow member's share is not counted with the readers': it reads it later, what is kept of it.
    const senders = Math.min(s.senders, s.clients);
    const expected = senders * s.messages * (s.clients - 1);
    const plan = {
      senders: take(readers, senders),
      messages: s.messages,
      bytes: s.bytes,
      expected,
      clients: total,
      counted: readers,
    };
    await warmUp(setup, plan);
    const runs: SlowRun[] = [];
    for (let i = 1; i <= s.runs; i++) {
      const run = await slowRun(setup, plan, i, s.runs);
      runs.push(run);
      // A server that stopped delivering will not start again: one such run tells it all.
      if (run.slowed.stopped !== undefined || run.control.stopped !== undefined) break;
    }
    const members = await setup.pool.who(readers, WHO_TIMEOUT_MS).catch(() => -1);

    const slowed = runs.map((r) => r.slowed);
    record(result, slowed, expected);
    result.shape = `${senders} × ${s.messages} lines of ${s.bytes} B to ${s.clients} clients and one that never reads, ${plural(runs.length, "run")}`;
    runs.forEach(({ control }, i) => {
      if (control.received !== expected) {
        result.failures.push(`control ${i + 1}: ${count(expected - control.received)} lines lost`);
      }
    });
    const evicted = runs.filter((r) => r.evicted).length;
    if (evicted > 0) {
      result.failures.push(
        `the slow reader was cut off in ${evicted} of ${plural(runs.length, "run")}`,
      );
    }
    const unread = runs.filter((r) => r.slowLines === 0).length;
    if (unread > 0) {
      result.failures.push(`the slow reader read nothing once it read again, in ${unread} run(s)`);
    }
    if (members < 0) result.failures.push(`no answer to /who within ${WHO_TIMEOUT_MS} ms`);
    else if (members !== s.clients + runs.length) {
      result.failures.push(`/who counts ${members} members, expected ${s.clients + runs.length}`);
    }
    const growths = runs.map((r) => r.growth);
    const growth = Math.max(...growths);
    const bound = window * SLOW_RSS_WINDOW_FACTOR + SLOW_RSS_SLACK_BYTES;
    if (growth > bound) {
      result.failures.push(`server memory grew by ${bytes(growth)}, more than ${bytes(bound)}`);
    }

    const controlRates = runs.map((r) => r.control.rate);
    const controlRate = median(controlRates);
    const relative = controlRate > 0 ? result.rate / controlRate : 0;
    // Well under the goal is a real regression (someone waits for the slow reader again), not noise.
    if (relative > 0 && relative < GOALS.slowReaderRate - 0.2) {
      result.failures.push(
        `the readers got ${Math.round(relative * 100)}% of the control's rate with a slow reader`,
      );
    }
    const slowLines = runs.map((r) => r.slowLines);
    const rssBefore = Math.min(...runs.map((r) => r.rssBefore));
    Object.assign(result.extra, {
      controlRate,
      rateVsControl: relative,
      windowBytes: window,
      slowEvicted: evicted,
      slowLinesReadBack: Math.min(...slowLines),
      rssBeforeBytes: rssBefore,
      rssPeakBytes: Math.max(...slowed.map((o) => o.peakRss)),
      rssGrowthBytes: growth,
      rssGrowthBoundBytes: bound,
    });
    result.figures.push(
      [
        "slow reader",
        `stayed in ${runs.length - evicted} of ${plural(runs.length, "run")}; reading again, it read ${count(Math.min(...slowLines))}–${count(Math.max(...slowLines))} of its ${count(senders * s.messages)} lines`,
      ],
      ["window", bytes(window)],
      [
        "readers' rate",
        `${rate(result.rate)}, ${Math.round(relative * 100)}% of the same flood with that member reading (${rate(controlRate)}, runs ${rateRange(controlRates)}); goal ${Math.round(GOALS.slowReaderRate * 100)}%`,
      ],
      [
        "server RSS",
        `${bytes(rssBefore)} before, growth per run ${growths.map(bytes).join(", ")} (allowed ${bytes(bound)})`,
      ],
    );
    return result;
  });
}

/** One run: a flood with every member reading, then the same flood with a new one that never reads. */
interface SlowRun {
  slowed: FloodOutcome;
  control: FloodOutcome;
  /**
   * Server RSS just before the flood, and how far the flood took it above the
   * higher of that and the same run's control flood's peak.
   */
  rssBefore: number;
  growth: number;
  /** The slow member's connection was cut (it must not be). */
  evicted: boolean;
  /** Chat lines the slow member read once it read again. */
  slowLines: number;
}

/**
 * One run. Growth is counted from the higher of the control flood's peak and
 * the RSS just before the slowed flood: a garbage collection between two
 * floods can leave the RSS well below what any flood of this size takes, and
 * counted from there a run would read as the collector's timing (a first run
 * without a control before it read 54 MiB against a typical 0-25). The slow
 * member's own cost is what its flood takes beyond a plain flood's.
 */
async function slowRun(setup: Setup, plan: FloodPlan, i: number, of: number): Promise<SlowRun> {
  const { pool, server } = setup;
  // Control first: the same flood with every member reading (earlier runs' slow
  // members among them), for the rate to compare with and for the footprint of
  // a plain flood of this size, which the slow member's cost is counted above.
  const control = await flood(setup, { ...plan, stage: `control ${i} of ${of}` });
  // Joins only now: had it read during the warm-up, the kernel would have grown
  // its receive buffer to megabytes, all of which would fill before it falls behind.
  const slow = take((await connectAll(setup, 1, `slow${i}x`)).group, 1);
  await pool.each(slow, "pause");
  const rssBefore = rssBytes(server.pid);
  const slowed = await flood(setup, { ...plan, stage: `run ${i} of ${of}` });
  const evicted = (await pool.closed(slow, 1)) === 1;
  await pool.each(slow, "resume");
  const slowLines = await readBack(setup, slow);
  const growth = Math.max(0, slowed.peakRss - Math.max(rssBefore, control.peakRss));
  return { slowed, control, rssBefore, growth, evicted, slowLines };
}

/** Let the slow member read what it is owed: until its count stops growing for a moment. */
async function readBack(setup: Setup, slow: Group): Promise<number> {
  const deadline = performance.now() + READ_BACK_WITHIN_MS;
  let last = -1;
  let lines = await setup.pool.count(slow);
  while (lines !== last && performance.now() < deadline) {
    await Bun.sleep(300);
    last = lines;
    lines = await setup.pool.count(slow);
  }
  return lines;
}
