/**
 * Big: ten thousand clients connect and sit idle; the figures are how long
 * connecting took and what each idle connection costs the server in memory
 * (the lowest RSS seen while they idle, minus the server's RSS before they came).
 * Then a short broadcast shows that so many members still get every line.
 * Then, three times, they all reset and as many join again: like the
 * floods, which run three times after a warm-up, the median of those is
 * what a join costs once the server's code is compiled (the first 10,000,
 * and in part the next, pay for compiling it, once per process: measured,
 * papo's join path is fully compiled after about 20,000 joins). Both the
 * first time and the median are reported.
 * The floor runs it too: what an idle connection and a join cost at least on Bun.
 *
 * NOTE: Bun.connect cannot bind a source address, so every client comes from
 * 127.0.0.1. That is enough: 10,000 connections fit in the ephemeral port
 * range (32768–60999) many times over for one destination port.
 */

import {
  CLEANUP_TIMEOUT_MS,
  IDLE_MEMORY_SAMPLE_MS,
  IDLE_MEMORY_WATCH_MS,
  MEMORY_SETTLE_MS,
} from "../config.ts";
import { take } from "../loadgen/pool.ts";
import { cpuNs, fdCount, rssBytes } from "../proc.ts";
import { bytes, count, ms } from "../report/format.ts";
import type { TargetName } from "../targets.ts";
import {
  type Context,
  connectAll,
  descriptorsBack,
  flood,
  record,
  type Sizes,
  withServer,
} from "./harness.ts";
import { emptyResult, median, type Result } from "./result.ts";

/** The lowest RSS of `pid` seen over `ms`: memory once the garbage is gone. */
async function lowestRss(pid: number, ms: number): Promise<number> {
  let lowest = rssBytes(pid);
  for (let waited = 0; waited < ms; waited += IDLE_MEMORY_SAMPLE_MS) {
    await Bun.sleep(IDLE_MEMORY_SAMPLE_MS);
    lowest = Math.min(lowest, rssBytes(pid));
  }
  return lowest;
}

export function big(target: TargetName, s: Sizes<"big">, ctx: Context): Promise<Result> {
  return withServer("big", target, { maxClients: s.clients + 16 }, ctx, async (setup) => {
    const { server } = setup;
    const result = emptyResult("big", target, s.clients);
    await Bun.sleep(MEMORY_SETTLE_MS);
    const rssIdle = rssBytes(server.pid);
    const fdsIdle = fdCount(server.pid);
    let cpu = cpuNs(server.pid);
    const { group, ms: connectMs } = await connectAll(setup, s.clients, "b");
    const connectCpuMs = (cpuNs(server.pid) - cpu) / 1e6;
    const watchMs = ctx.quick ? IDLE_MEMORY_WATCH_MS.quick : IDLE_MEMORY_WATCH_MS.full;
    setup.progress.show(`${setup.label} · watching server memory for ${watchMs / 1000} s`);
    const rssConnected = await lowestRss(server.pid, watchMs);
    const fds = fdCount(server.pid);
    const perConnection = (rssConnected - rssIdle) / s.clients;

    const senders = Math.min(s.senders, s.clients);
    const expected = senders * s.messages * (s.clients - 1);
    const outcome = await flood(setup, {
      senders: take(group, senders),
      messages: s.messages,
      bytes: s.bytes,
      expected,
      clients: s.clients,
    });
    record(result, [outcome], expected);
    result.shape = `${s.clients} clients connect, then ${senders} × ${s.messages} lines of ${s.bytes} B, then ${s.rejoins} times all reset and as many join again`;
    if (fds < s.clients)
      result.failures.push(`the server holds ${fds} descriptors for ${s.clients} clients`);

    // Everyone resets; once the server holds its idle descriptors again, as many join again.
    const rejoins: Array<{ ms: number; cpuMs: number }> = [];
    let last = group;
    for (let run = 0; run < s.rejoins; run++) {
      await setup.pool.each(last, "reset");
      if (!(await descriptorsBack(server, fdsIdle, performance.now() + CLEANUP_TIMEOUT_MS))) {
        result.failures.push(
          `after a reset the server still holds ${fdCount(server.pid) - fdsIdle} descriptors too many`,
        );
        break;
      }
      cpu = cpuNs(server.pid);
      const again = await connectAll(setup, s.clients, `r${run}n`);
      rejoins.push({ ms: again.ms, cpuMs: (cpuNs(server.pid) - cpu) / 1e6 });
      last = again.group;
    }
    const rejoinMs = median(rejoins.map((r) => r.ms));
    const rejoinCpuMs = median(rejoins.map((r) => r.cpuMs));

    Object.assign(result.extra, {
      connectMs,
      rejoinMs,
      connectCpuMs,
      rejoinCpuMs,
      connectsPerSecond: s.clients / (connectMs / 1000),
      rssIdleBytes: rssIdle,
      rssConnectedBytes: rssConnected,
      bytesPerConnection: perConnection,
      serverFds: fds,
    });
    result.figures.push(
      [
        "connect",
        `${count(s.clients)} clients joined in ${ms(connectMs)} (server CPU ${ms(connectCpuMs)})`,
      ],
      [
        "again",
        `${count(s.clients)} more joined in ${ms(rejoinMs)} once those had reset, median of ${rejoins.length} (${rejoins.map((r) => ms(r.ms)).join(", ")}; server CPU ${ms(rejoinCpuMs)})`,
      ],
      ["server RSS", `${bytes(rssIdle)} idle, ${bytes(rssConnected)} with every client`],
      ["memory per connection", bytes(perConnection)],
    );
    return result;
  });
}
