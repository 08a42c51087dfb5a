/**
 * Big: ten thousand clients connect and sit idle; the figures are how long
 * connecting took and what each idle connection costs the server in memory
 * (the lowest RSS seen while they idle, minus the server's RSS before they came).
 * Then a short broadcast shows that so many members still get every line.
 * Then they all reset and as many join again, unmeasured, until a round
 * leaves the server's JIT compiler quiet (as the floods warm up); then five
 * more times (three with --quick), measured: the median of those is what a
 * join costs once the server's code is compiled (the first 10,000, and in
 * part the next, pay for compiling it, once per process: measured, papo's
 * join path is fully compiled after some 20,000 to 30,000 joins, the
 * floor's after 10,000). Five, as one busy rejoin of three moved the median.
 * Both the first time and the median are reported.
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
  REJOIN_WARM_UP_MAX,
  WARM_UP_QUIET_SHARE,
} from "../config.ts";
import { take } from "../loadgen/pool.ts";
import { compilerNs, cpuNs, fdCount, rssBytes } from "../proc.ts";
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
    result.shape = `${s.clients} clients connect, then ${senders} × ${s.messages} lines of ${s.bytes} B, then all reset and as many join again until the JIT is quiet, then ${s.rejoins} times more`;
    if (fds < s.clients)
      result.failures.push(`the server holds ${fds} descriptors for ${s.clients} clients`);

    // Everyone resets; once the server holds its idle descriptors again, as many join again:
    // unmeasured until a round leaves the compiler quiet, then s.rejoins times, measured.
    const rejoins: Array<{ ms: number; cpuMs: number; compilerMs: number }> = [];
    let last = group;
    let warmUps = 0;
    for (let run = 0; rejoins.length < s.rejoins; run++) {
      await setup.pool.each(last, "reset");
      if (!(await descriptorsBack(server, fdsIdle, performance.now() + CLEANUP_TIMEOUT_MS))) {
        result.failures.push(
          `after a reset the server still holds ${fdCount(server.pid) - fdsIdle} descriptors too many`,
        );
        break;
      }
      cpu = cpuNs(server.pid);
      const compiled = compilerNs(server.pid);
      const again = await connectAll(setup, s.clients, `r${run}n`);
      const cpuUsed = cpuNs(server.pid) - cpu;
      const compiling = Math.max(0, compilerNs(server.pid) - compiled);
      last = again.group;
      const warming = rejoins.length === 0 && warmUps < REJOIN_WARM_UP_MAX;
      if (warming && compiling > cpuUsed * WARM_UP_QUIET_SHARE) {
        warmUps++;
        continue;
      }
      rejoins.push({ ms: again.ms, cpuMs: cpuUsed / 1e6, compilerMs: compiling / 1e6 });
    }
    const rejoinMs = median(rejoins.map((r) => r.ms));
    const rejoinCpuMs = median(rejoins.map((r) => r.cpuMs));
    const rejoinCompilerMs = median(rejoins.map((r) => r.compilerMs));

    Object.assign(result.extra, {
      connectMs,
      rejoinMs,
      connectCpuMs,
      rejoinCpuMs,
      rejoinCompilerMs,
      rejoinWarmUps: warmUps,
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
        `${count(s.clients)} more joined in ${ms(rejoinMs)} once those had reset, median of ${rejoins.length} after ${warmUps} unmeasured (${rejoins.map((r) => ms(r.ms)).join(", ")}; server CPU ${ms(rejoinCpuMs)}, ${ms(rejoinCompilerMs)} of it compiling)`,
      ],
      ["server RSS", `${bytes(rssIdle)} idle, ${bytes(rssConnected)} with every client`],
      ["memory per connection", bytes(perConnection)],
    );
    return result;
  });
}
