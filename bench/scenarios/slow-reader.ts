/**
 * Slow reader: a room flood plus one client that never reads. The readers
 * must still get every line at close to the rate of the same flood without a
 * slow reader (run after it, as a control), the slow client must be evicted once
 * its backlog passes the server's cap, and the server's memory must stay
 * bounded by that cap rather than by the size of the flood. Each run brings a
 * new slow reader; the rates compared are the medians of the runs.
 */

import {
  EVICTED_WITHIN_MS,
  SLOW_RSS_CAP_FACTOR,
  SLOW_RSS_SLACK_BYTES,
  WHO_TIMEOUT_MS,
} from "../config.ts";
import { take } from "../loadgen/pool.ts";
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
  const cap = s["queue-kib"] * 1024;
  const total = s.clients + 1;
  const options = { maxClients: total + s.runs + 16, maxQueueBytes: cap };
  return withServer("slow-reader", "papo", options, ctx, async (setup) => {
    const result = emptyResult("slow-reader", "papo", total);
    const readers = (await connectAll(setup, s.clients, "r")).group;
    // The slow client's share is never expected: it is meant to be cut off.
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
      const run = await slowRun(setup, plan, i, s.runs, runs.at(-1)?.control.peakRss ?? 0);
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
    if (evicted < runs.length) {
      result.failures.push(
        `the slow reader was not evicted in ${runs.length - evicted} of ${plural(runs.length, "run")}`,
      );
    }
    if (members < 0) result.failures.push(`no answer to /who within ${WHO_TIMEOUT_MS} ms`);
    else if (members !== s.clients) {
      result.failures.push(`/who counts ${members} members, expected ${s.clients}`);
    }
    const growths = runs.map((r) => r.growth);
    const growth = Math.max(...growths);
    const bound = cap * SLOW_RSS_CAP_FACTOR + SLOW_RSS_SLACK_BYTES;
    if (growth > bound) {
      result.failures.push(`server memory grew by ${bytes(growth)}, more than ${bytes(bound)}`);
    }

    const controlRates = runs.map((r) => r.control.rate);
    const controlRate = median(controlRates);
    const relative = controlRate > 0 ? result.rate / controlRate : 0;
    const slowLines = runs.map((r) => r.slowLines);
    const rssBefore = Math.min(...runs.map((r) => r.rssBefore));
    Object.assign(result.extra, {
      controlRate,
      rateVsControl: relative,
      queueCapBytes: cap,
      slowEvicted: evicted,
      slowLinesBeforeEviction: Math.max(...slowLines),
      rssBeforeBytes: rssBefore,
      rssPeakBytes: Math.max(...slowed.map((o) => o.peakRss)),
      rssGrowthBytes: growth,
      rssGrowthBoundBytes: bound,
    });
    result.figures.push(
      [
        "slow reader",
        `evicted in ${evicted} of ${plural(runs.length, "run")}, after ${count(Math.min(...slowLines))}–${count(Math.max(...slowLines))} lines`,
      ],
      ["queue cap", bytes(cap)],
      [
        "readers' rate",
        `${rate(result.rate)}, ${Math.round(relative * 100)}% of the same flood with no slow reader (${rate(controlRate)}, runs ${rateRange(controlRates)})`,
      ],
      [
        "server RSS",
        `${bytes(rssBefore)} before, growth per run ${growths.map(bytes).join(", ")} (allowed ${bytes(bound)})`,
      ],
    );
    return result;
  });
}

/** One run: a flood with a slow reader, then the same flood without it. */
interface SlowRun {
  slowed: FloodOutcome;
  control: FloodOutcome;
  /**
   * Server RSS just before the flood, and how far the flood took it above the
   * higher of that and the previous run's control flood's peak.
   */
  rssBefore: number;
  growth: number;
  evicted: boolean;
  /** Chat lines the slow reader got before it was cut off. */
  slowLines: number;
}

/**
 * One run. `footprint` is the peak RSS of the previous run's control flood
 * (0 for the first run): growth is counted from the higher of it and the RSS
 * just before this flood. A garbage collection between two floods can leave
 * the RSS just before a flood well below what any flood of this size takes
 * (the control floods peak 3-12 MiB above it); counted from there, a run read
 * as the collector's timing, up to 34.5 MiB against a typical 15-25. The
 * slow reader's own cost is what its flood takes beyond a plain flood's.
 */
async function slowRun(
  setup: Setup,
  plan: FloodPlan,
  i: number,
  of: number,
  footprint: number,
): Promise<SlowRun> {
  const { pool, server } = setup;
  // Joins only now: had it read during the warm-up, the kernel would have grown its
  // receive buffer to megabytes, all of which would fill before the server's cap.
  const slow = take((await connectAll(setup, 1, `slow${i}x`)).group, 1);
  await pool.each(slow, "pause");
  const rssBefore = rssBytes(server.pid);
  const slowed = await flood(setup, { ...plan, stage: `run ${i} of ${of}` });
  await pool.each(slow, "resume");
  const evicted = (await pool.closed(slow, EVICTED_WITHIN_MS)) === 1;
  const slowLines = await pool.count(slow);
  // Control: the same flood once the slow client is gone, for the rate to compare with.
  const control = await flood(setup, { ...plan, stage: `control ${i} of ${of}` });
  const growth = Math.max(0, slowed.peakRss - Math.max(rssBefore, footprint));
  return { slowed, control, rssBefore, growth, evicted, slowLines };
}
