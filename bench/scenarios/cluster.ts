/**
 * Cluster: two papo servers sharing one room through one Redis, half the
 * clients on each, against the same loads on a single server in the same
 * run. Crowd (everyone sends, unpaced) gives the pair's throughput; paced
 * (senders all on the first server, stamped lines) gives the latency of a
 * line read on the sender's own server and of one that crossed through
 * Redis. Each server's half of the clients has a load generator of its own,
 * so each generator's latency histogram is one of the two kinds.
 */

import { STALL_MS } from "../config.ts";
import type { Histogram } from "../loadgen/histogram.ts";
import { type Group, Pool, take } from "../loadgen/pool.ts";
import { cpuShare, markCpu } from "../proc.ts";
import { startRedis } from "../redis.ts";
import { count, ms, ns, plural, rate, times } from "../report/format.ts";
import { type Server, startServer } from "../targets.ts";
import type { Context, Sizes } from "./harness.ts";
import { emptyResult, median, type Result } from "./result.ts";

/** A room on one or two servers, with one load generator per half of the clients. */
interface Layout {
  servers: Server[];
  /** The first half's generator (connected to servers[0]) and the second's (the last server). */
  pools: [Pool, Pool];
  halves: [Group, Group];
  /** Processes whose CPU is reported: the servers, then Redis if any. */
  pids: number[];
}

interface Measured {
  received: number;
  rate: number;
  cpuNs: number[];
  /** Each half's latency histogram (paced only). */
  latency: [Histogram | null, Histogram | null];
}

export async function cluster(s: Sizes<"cluster">, ctx: Context): Promise<Result> {
  const result = emptyResult("cluster", "papo", s.clients);
  const redis = await startRedis();
  try {
    const shared = ["--redis", redis.url, "--room", "bench"];
    const pair = await measureLayout(s, ctx, [shared, shared], [redis.pid()]);
    const single = await measureLayout(s, ctx, [[]], []);
    report(result, s, pair, single);
  } finally {
    await redis.stop();
  }
  return result;
}

interface LayoutFigures {
  crowd: Measured[];
  paced: Measured;
}

async function measureLayout(
  s: Sizes<"cluster">,
  ctx: Context,
  serverArgs: string[][],
  extraPids: number[],
): Promise<LayoutFigures> {
  const label = serverArgs.length === 2 ? "cluster · two servers" : "cluster · one server";
  const servers: Server[] = [];
  const pools: Pool[] = [];
  try {
    for (const papoArgs of serverArgs) {
      servers.push(await startServer("papo", { maxClients: s.clients + 16, papoArgs }));
    }
    pools.push(Pool.start(1), Pool.start(1));
    const half = Math.ceil(s.clients / 2);
    const stamped = true;
    const halves: Group[] = [];
    for (const [i, pool] of pools.entries()) {
      const server = servers[Math.min(i, servers.length - 1)] as Server;
      ctx.progress.show(`${label} · connecting`);
      const got = await pool.connect(
        { host: server.host, port: server.port },
        i === 0 ? half : s.clients - half,
        `h${i}`,
        { stamped, timeoutMs: 30_000 },
      );
      if (got.failed > 0) throw new Error(`${got.failed} clients could not join: ${got.error}`);
      halves.push(got.group);
    }
    // Every server must know every member before lines count.
    await settle(pools as [Pool, Pool], halves as [Group, Group], s.clients);
    const layout: Layout = {
      servers,
      pools: pools as [Pool, Pool],
      halves: halves as [Group, Group],
      pids: [...servers.map((x) => x.pid), ...extraPids],
    };
    const perSender = (s.clients - 1) * s.messages;
    // Warm-up, unmeasured, then the measured floods.
    await run(layout, (p, g) => p.send(g, 1, s.bytes), s.clients * (s.clients - 1), label);
    const crowd: Measured[] = [];
    for (let i = 0; i < s.runs; i++) {
      const stage = `${label} · crowd ${i + 1} of ${s.runs}`;
      crowd.push(
        await run(layout, (p, g) => p.send(g, s.messages, s.bytes), s.clients * perSender, stage),
      );
    }
    const senders = Math.min(s.senders, sizeOf(layout.halves[0]));
    const messages = Math.max(1, Math.round((s.rate * s.seconds) / senders));
    const pacedSenders = take(layout.halves[0], senders);
    const paced = await run(
      layout,
      (p, g) =>
        g === layout.halves[0] ? p.send(pacedSenders, messages, s.bytes, s.seconds) : null,
      senders * messages * (s.clients - 1),
      `${label} · paced`,
    );
    return { crowd, paced };
  } finally {
    await Promise.all(pools.map((p) => p.stop()));
    for (const server of servers) await server.stop();
    ctx.progress.clear();
  }
}

function sizeOf(group: Group): number {
  return group.reduce((n, part) => n + part.range.to - part.range.from, 0);
}

/** Wait until a /who from each half counts every client (presence crossed over). */
async function settle(pools: [Pool, Pool], halves: [Group, Group], clients: number): Promise<void> {
  const deadline = performance.now() + 10_000;
  for (const [i, pool] of pools.entries()) {
    for (;;) {
      const seen = await pool.who(halves[i] as Group, 5000);
      if (seen === clients) break;
      if (performance.now() > deadline) throw new Error(`/who counts ${seen} of ${clients}`);
      await Bun.sleep(50);
    }
  }
}

/**
 * One flood on both halves: `send` starts each half's part (or null for
 * none); waits until `expected` lines arrived in all, or progress stops.
 */
async function run(
  layout: Layout,
  send: (pool: Pool, half: Group) => Promise<unknown> | null,
  expected: number,
  stage: string,
): Promise<Measured> {
  const { pools, halves } = layout;
  const lines = async () => {
    const p = await Promise.all(pools.map((pool) => pool.progress()));
    return p.reduce((n, x) => n + x.lines, 0);
  };
  const before = await lines();
  const pids = [...layout.pids, ...pools.flatMap((p) => p.pids)];
  const startCpu = markCpu(pids);
  const start = performance.now();
  const sending = Promise.all(pools.map((pool, i) => send(pool, halves[i] as Group)));
  let got = 0;
  let changed = performance.now();
  let end = start;
  while (got < expected && performance.now() - changed < STALL_MS) {
    await Bun.sleep(10);
    const now = (await lines()) - before;
    if (now !== got) {
      changed = performance.now();
      end = changed;
    }
    got = now;
  }
  await sending;
  const cpu = cpuShare(startCpu, markCpu(pids));
  const after = await Promise.all(pools.map((pool) => pool.progress(true)));
  const seconds = (end - start) / 1000;
  return {
    received: got,
    rate: seconds > 0 ? got / seconds : 0,
    cpuNs: cpu.ns.slice(0, layout.pids.length),
    latency: [after[0]?.latency ?? null, after[1]?.latency ?? null],
  };
}

function report(result: Result, s: Sizes<"cluster">, pair: LayoutFigures, single: LayoutFigures) {
  const crowdRate = (f: LayoutFigures) => median(f.crowd.map((m) => m.rate));
  const pairRate = crowdRate(pair);
  const singleRate = crowdRate(single);
  const p99 = (h: Histogram | null) => (h && h.count > 0 ? h.percentile(0.99) / 1000 : 0);
  const p50 = (h: Histogram | null) => (h && h.count > 0 ? h.percentile(0.5) / 1000 : 0);
  const [same, cross] = pair.paced.latency;
  const singleLatency = single.paced.latency[1] ?? single.paced.latency[0];
  const perDelivery = (m: Measured[], i: number) =>
    median(m.map((x) => (x.received > 0 ? (x.cpuNs[i] ?? 0) / x.received : 0)));

  result.rate = pairRate;
  result.runs = pair.crowd.map((m) => ({
    seconds: 0,
    rate: m.rate,
    serverNsPerDelivery: m.received > 0 ? (m.cpuNs[0] ?? 0) / m.received : 0,
  }));
  const expectedCrowd = s.clients * (s.clients - 1) * s.messages;
  const expectedPaced = pair.paced.received;
  result.expected = expectedCrowd * s.runs * 2;
  result.received = [...pair.crowd, ...single.crowd].reduce((n, m) => n + m.received, 0);
  result.lost = result.expected - result.received;
  if (result.lost !== 0) result.failures.push(`${count(result.lost)} crowd lines lost`);
  if (expectedPaced !== single.paced.received) {
    result.failures.push(
      `paced: ${count(pair.paced.received)} lines delivered by the pair, ${count(single.paced.received)} by one server`,
    );
  }
  result.latencyMs = {
    p50: p50(cross),
    p99: p99(cross),
    max: cross ? cross.max / 1000 : 0,
    mean: cross ? cross.mean / 1000 : 0,
  };
  Object.assign(result.extra, {
    pairCrowdRate: pairRate,
    singleCrowdRate: singleRate,
    crowdShare: singleRate > 0 ? pairRate / singleRate : 0,
    sameP50Ms: p50(same),
    sameP99Ms: p99(same),
    crossP50Ms: p50(cross),
    crossP99Ms: p99(cross),
    singleP50Ms: p50(singleLatency),
    singleP99Ms: p99(singleLatency),
    serverANsPerDelivery: perDelivery(pair.crowd, 0),
    serverBNsPerDelivery: perDelivery(pair.crowd, 1),
    redisNsPerDelivery: perDelivery(pair.crowd, 2),
    singleNsPerDelivery: perDelivery(single.crowd, 0),
  });
  const e = result.extra as Record<string, number>;
  result.shape = `${s.clients} clients, half on each server; crowd ${s.messages} lines each, ${plural(s.runs, "run")}; paced ${s.rate}/s from ${s.senders} senders for ${s.seconds} s`;
  result.figures.push(
    [
      "crowd, two servers",
      `${rate(pairRate)} (${times(e.crowdShare as number)} one server's ${rate(singleRate)})`,
    ],
    [
      "server CPU per delivery",
      `A ${ns(e.serverANsPerDelivery as number)}, B ${ns(e.serverBNsPerDelivery as number)}, Redis ${ns(e.redisNsPerDelivery as number)}; one server ${ns(e.singleNsPerDelivery as number)}`,
    ],
    [
      "paced p50 / p99",
      `same server ${ms(e.sameP50Ms as number)} / ${ms(e.sameP99Ms as number)}, across ${ms(e.crossP50Ms as number)} / ${ms(e.crossP99Ms as number)}; one server ${ms(e.singleP50Ms as number)} / ${ms(e.singleP99Ms as number)}`,
    ],
  );
}
