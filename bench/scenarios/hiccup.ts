/**
 * Hiccup: a room flood during which a few readers stop reading for 0.5 to
 * 1.5 s (a laptop lid, a collection, a busy machine) and then read again.
 * A reader that stops keeps its position in the room's log and catches up
 * from it: nothing may be lost and no one cut off, and the readers that kept
 * reading should get the rate of the same flood without hiccups (run after
 * it, as a control), which is reported, never judged.
 *
 * Only the hiccuping readers' sockets stop (the load generator pauses reading
 * them alone): the senders and the other readers in the same process go on.
 * Each run brings fresh hiccuping readers.
 */

import { HICCUP, HICCUP_CATCH_UP_MS, WHO_TIMEOUT_MS } from "../config.ts";
import { type Group, singles, take } from "../loadgen/pool.ts";
import { count, ms, plural, rate, rateRange } from "../report/format.ts";
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

/** When each of `n` readers stops, counted from the start of the flood, and for how long (ms). */
export function hiccupPlan(n: number): Array<{ atMs: number; forMs: number }> {
  const { staggerMs, shortestMs, longestMs } = HICCUP;
  return Array.from({ length: n }, (_, i) => ({
    atMs: i * staggerMs,
    forMs: n > 1 ? shortestMs + ((longestMs - shortestMs) * i) / (n - 1) : longestMs,
  }));
}

export function hiccup(s: Sizes<"hiccup">, ctx: Context): Promise<Result> {
  const total = s.clients + s.hiccups * s.runs;
  return withServer("hiccup", "papo", { maxClients: total + 16 }, ctx, async (setup) => {
    const result = emptyResult("hiccup", "papo", s.clients + s.hiccups);
    const readers = (await connectAll(setup, s.clients, "r")).group;
    const senders = Math.min(s.senders, s.clients);
    const members = s.clients + s.hiccups;
    // Counted: the readers who never stop. Each hiccuping reader must get every line too.
    const expected = senders * s.messages * (s.clients - 1);
    const plan: FloodPlan = {
      senders: take(readers, senders),
      messages: s.messages,
      bytes: s.bytes,
      expected,
      clients: members,
      counted: readers,
    };
    await warmUp(setup, plan);
    const runs: HiccupRun[] = [];
    for (let i = 1; i <= s.runs; i++) {
      const run = await hiccupRun(setup, plan, s.hiccups, senders * s.messages, i, s.runs);
      runs.push(run);
      if (run.hiccuped.stopped !== undefined || run.control.stopped !== undefined) break;
    }
    const inRoom = await setup.pool.who(readers, WHO_TIMEOUT_MS).catch(() => -1);
    const closed = (await setup.pool.progress()).closed;

    record(
      result,
      runs.map((r) => r.hiccuped),
      expected,
    );
    const schedule = hiccupPlan(s.hiccups);
    result.shape = `${senders} × ${s.messages} lines of ${s.bytes} B to ${s.clients} clients and ${s.hiccups} that stop reading for a moment, ${plural(runs.length, "run")}`;
    runs.forEach((run, i) => {
      if (run.control.received !== expected) {
        result.failures.push(
          `control ${i + 1}: ${count(expected - run.control.received)} lines lost`,
        );
      }
      const short = run.hiccupLines.filter((n) => n !== run.hiccupExpected);
      if (short.length > 0) {
        const missing = short.reduce((n, got) => n + run.hiccupExpected - got, 0);
        result.failures.push(
          `run ${i + 1}: ${short.length} of ${s.hiccups} hiccuping readers lost ${count(missing)} lines`,
        );
      }
    });
    if (closed > 0) result.failures.push(`${plural(closed, "reader")} cut off`);
    const expectedMembers = s.clients + s.hiccups * runs.length;
    if (inRoom < 0) result.failures.push(`no answer to /who within ${WHO_TIMEOUT_MS} ms`);
    else if (inRoom !== expectedMembers) {
      result.failures.push(`/who counts ${inRoom} members, expected ${expectedMembers}`);
    }

    const controlRates = runs.map((r) => r.control.rate);
    const controlRate = median(controlRates);
    const relative = controlRate > 0 ? result.rate / controlRate : 0;
    const controlSeconds = median(runs.map((r) => r.control.seconds));
    Object.assign(result.extra, {
      controlRate,
      rateVsControl: relative,
      controlSeconds,
      hiccupReaders: s.hiccups,
      hiccupLongestMs: Math.max(...schedule.map((h) => h.forMs)),
      readersClosed: closed,
      whoMembers: inRoom,
    });
    const stops = schedule.map((h) => `${ms(h.forMs)} from ${ms(h.atMs)}`).join(", ");
    result.figures.push(
      [
        "hiccups",
        `${plural(s.hiccups, "reader")} stopped reading per run: ${stops} into the flood`,
      ],
      [
        "others' rate",
        `${rate(result.rate)} in ${ms(result.seconds * 1000)}, ${Math.round(relative * 100)}% of the same flood without hiccups (${rate(controlRate)} in ${ms(controlSeconds * 1000)}, runs ${rateRange(controlRates)})`,
      ],
      [
        "hiccuping readers",
        `every line arrived in ${runs.filter((r) => r.hiccupLines.every((n) => n === r.hiccupExpected)).length} of ${plural(runs.length, "run")}; ${closed === 0 ? "none" : count(closed)} cut off`,
      ],
    );
    return result;
  });
}

interface HiccupRun {
  hiccuped: FloodOutcome;
  control: FloodOutcome;
  /** Chat lines each hiccuping reader got in the hiccup flood, and what each should have. */
  hiccupLines: number[];
  hiccupExpected: number;
}

/** One run: fresh readers join, the flood with their hiccups, then the same flood without. */
async function hiccupRun(
  setup: Setup,
  plan: FloodPlan,
  n: number,
  perReader: number,
  i: number,
  of: number,
): Promise<HiccupRun> {
  const { pool } = setup;
  const fresh = (await connectAll(setup, n, `h${i}x`)).group;
  const each = singles(fresh);
  const schedule = hiccupPlan(n);
  let stops: Promise<void> = Promise.resolve();
  // The hiccuping readers of earlier runs are still in the room, reading.
  const clients = plan.clients + n * (i - 1);
  const hiccuped = await flood(setup, {
    ...plan,
    clients,
    stage: `run ${i} of ${of}, with hiccups`,
    onStart: () => {
      stops = Promise.all(
        schedule.map(async ({ atMs, forMs }, k) => {
          const reader = each[k] as Group;
          await Bun.sleep(atMs);
          await pool.each(reader, "pause");
          await Bun.sleep(forMs);
          await pool.each(reader, "resume");
        }),
      ).then(() => {});
    },
  });
  await stops;
  const hiccupLines = await caughtUp(setup, each, perReader);
  const control = await flood(setup, { ...plan, clients, stage: `control ${i} of ${of}` });
  // The control's lines reach the hiccuping readers too: wait for them, so the next run starts clean.
  await caughtUp(setup, each, perReader * 2);
  return { hiccuped, control, hiccupLines, hiccupExpected: perReader };
}

/** Wait until each reader has `lines` chat lines, or the time is up; what each has. */
async function caughtUp(setup: Setup, readers: Group[], lines: number): Promise<number[]> {
  const deadline = performance.now() + HICCUP_CATCH_UP_MS;
  for (;;) {
    const got = await Promise.all(readers.map((r) => setup.pool.count(r)));
    if (got.every((n) => n >= lines) || performance.now() > deadline) return got;
    await Bun.sleep(20);
  }
}
