/**
 * Cluster: two papo servers sharing one room through one Redis, half the
 * clients on each, against the same loads on a single server in the same
 * run. Crowd (everyone sends, unpaced) gives the pair's throughput. Paced
 * (stamped lines from senders all on the first server) gives the latency of
 * a line read on the sender's own server and of one that crossed through
 * Redis: the readers on each server have a load generator of their own, so
 * each generator's latency histogram is one kind, and the senders a third
 * one, so that both reading generators do the same work.
 */

import { STALL_MS } from "../config.ts";
import type { Histogram } from "../loadgen/histogram.ts";
import { type Group, Pool } from "../loadgen/pool.ts";
import { cpuShare, markCpu } from "../proc.ts";
import { startRedis } from "../redis.ts";
import { count, ms, ns, plural, rate, signedMs, times } from "../report/format.ts";
import { type Server, startServer } from "../targets.ts";
import type { Context, Sizes } from "./harness.ts";
import { emptyResult, median, type Result } from "./result.ts";

/** Clients on one load generator, all connected to one server. */
interface Part {
  /** Index into the layout's servers (the last one if there are fewer). */
  server: number;
  clients: number;
}

/** A room on one or two servers, its clients in parts, one load generator per part. */
interface Layout {
  pools: Pool[];
  groups: Group[];
  /** Processes whose CPU is reported: the servers, then Redis if any. */
  pids: number[];
}

interface Measured {
  received: number;
  seconds: number;
  rate: number;
  cpuNs: number[];
  /** Cores each process kept busy: the servers, Redis, then the load generators. */
  cores: number[];
  /** Each part's latency histogram (paced only). */
  latency: Array<Histogram | null>;
  /** Each part's load generator's longest gap in reading its sockets (ms). */
  gapMs: number[];
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
  try {
    for (const papoArgs of serverArgs) {
      servers.push(await startServer("papo", { maxClients: 2 * s.clients + 16, papoArgs }));
    }
    const pids = [...servers.map((x) => x.pid), ...extraPids];
    const halves = (n: number): Part[] => [
      { server: 0, clients: Math.ceil(n / 2) },
      { server: 1, clients: Math.floor(n / 2) },
    ];
    // Crowd on clients that only count lines; paced on clients that read every
    // stamp (slower to read, so they would make the crowd measure the load generators).
    const crowdParts = halves(s.clients);
    const crowd = await withClients(servers, pids, crowdParts, false, ctx, label, async (at) => {
      const all = (n: number) => (i: number) =>
        at.pools[i]?.send(at.groups[i] as Group, n, s.bytes);
      await run(at, all(1), s.clients * (s.clients - 1));
      const runs: Measured[] = [];
      for (let i = 0; i < s.runs; i++) {
        ctx.progress.show(`${label} · crowd ${i + 1} of ${s.runs}`);
        runs.push(await run(at, all(s.messages), s.clients * (s.clients - 1) * s.messages));
      }
      return runs;
    });
    const senders = Math.min(s.senders, s.clients - 2);
    const pacedParts = [...halves(s.clients - senders), { server: 0, clients: senders }];
    const paced = await withClients(servers, pids, pacedParts, true, ctx, label, (at) => {
      const messages = Math.max(1, Math.round((s.rate * s.seconds) / senders));
      ctx.progress.show(`${label} · paced`);
      const send = (i: number) =>
        i === 2 ? at.pools[2]?.send(at.groups[2] as Group, messages, s.bytes, s.seconds) : null;
      return run(at, send, senders * messages * (s.clients - 1));
    });
    return { crowd, paced };
  } finally {
    for (const server of servers) await server.stop();
    ctx.progress.clear();
  }
}

/** Connect the parts, each on a load generator of its own; run `body`; disconnect them. */
async function withClients<T>(
  servers: Server[],
  pids: number[],
  parts: Part[],
  stamped: boolean,
  ctx: Context,
  label: string,
  body: (layout: Layout) => Promise<T>,
): Promise<T> {
  const pools = parts.map(() => Pool.start(1));
  try {
    const groups: Group[] = [];
    for (const [i, part] of parts.entries()) {
      const server = servers[Math.min(part.server, servers.length - 1)] as Server;
      ctx.progress.show(`${label} · connecting`);
      const got = await (pools[i] as Pool).connect(
        { host: server.host, port: server.port },
        part.clients,
        `${stamped ? "p" : "c"}${i}`,
        { stamped, timeoutMs: 30_000 },
      );
      if (got.failed > 0) throw new Error(`${got.failed} clients could not join: ${got.error}`);
      groups.push(got.group);
    }
    const layout = { pools, groups, pids };
    // Every server must know every member (and none of an earlier phase) before lines count.
    const total = parts.reduce((n, p) => n + p.clients, 0);
    await settle(layout, total);
    return await body(layout);
  } finally {
    await Promise.all(pools.map((p) => p.stop()));
  }
}

/** Wait until a /who through each part counts every client (presence crossed over). */
async function settle(layout: Layout, clients: number): Promise<void> {
  const deadline = performance.now() + 10_000;
  for (const [i, pool] of layout.pools.entries()) {
    for (;;) {
      const seen = await pool.who(layout.groups[i] as Group, 5000);
      if (seen === clients) break;
      if (performance.now() > deadline) throw new Error(`/who counts ${seen} of ${clients}`);
      await Bun.sleep(50);
    }
  }
}

/**
 * One flood: `send(i)` starts part i's sending (or null for none); waits
 * until `expected` lines arrived in all, or progress stops.
 */
async function run(
  layout: Layout,
  send: (part: number) => Promise<unknown> | null | undefined,
  expected: number,
): Promise<Measured> {
  const { pools } = layout;
  const lines = async (reset = false) => {
    const p = await Promise.all(pools.map((pool) => pool.progress(false, reset)));
    return p.reduce((n, x) => n + x.lines, 0);
  };
  // Each load generator measures its read gap from here.
  const before = await lines(true);
  const pids = [...layout.pids, ...pools.flatMap((p) => p.pids)];
  const startCpu = markCpu(pids);
  const start = performance.now();
  const sending = Promise.all(pools.map((_, i) => send(i)));
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
    seconds,
    rate: seconds > 0 ? got / seconds : 0,
    cpuNs: cpu.ns.slice(0, layout.pids.length),
    cores: cpu.cores,
    latency: after.map((p) => p.latency),
    gapMs: after.flatMap((p) => p.gapMs),
  };
}

function report(result: Result, s: Sizes<"cluster">, pair: LayoutFigures, single: LayoutFigures) {
  const crowdRate = (f: LayoutFigures) => median(f.crowd.map((m) => m.rate));
  const pairRate = crowdRate(pair);
  const singleRate = crowdRate(single);
  const p99 = (h: Histogram | null) => (h && h.count > 0 ? h.percentile(0.99) / 1000 : 0);
  const p50 = (h: Histogram | null) => (h && h.count > 0 ? h.percentile(0.5) / 1000 : 0);
  const [same = null, cross = null] = pair.paced.latency;
  const singleLatency = single.paced.latency[1] ?? null;
  const perDelivery = (m: Measured[], i: number) =>
    median(m.map((x) => (x.received > 0 ? (x.cpuNs[i] ?? 0) / x.received : 0)));

  // The pair's figures in the table: both servers and Redis, per delivery.
  const pairNs = (m: Measured) =>
    m.received > 0 ? m.cpuNs.reduce((n, x) => n + x, 0) / m.received : 0;
  result.rate = pairRate;
  result.seconds = median(pair.crowd.map((m) => m.seconds));
  result.runs = pair.crowd.map((m) => ({
    seconds: m.seconds,
    rate: m.rate,
    serverNsPerDelivery: pairNs(m),
  }));
  result.serverNsPerDelivery = median(pair.crowd.map(pairNs));
  // The servers' and Redis's cores together, as one "server" of the table; then each load generator.
  const servers = pair.crowd[0]?.cpuNs.length ?? 0;
  result.serverCores = median(
    pair.crowd.map((m) => m.cores.slice(0, servers).reduce((n, x) => n + x, 0)),
  );
  const gens = (pair.crowd[0]?.cores.length ?? 0) - servers;
  result.loadgenCores = Array.from({ length: gens }, (_, i) =>
    median(pair.crowd.map((m) => m.cores[servers + i] ?? 0)),
  );
  // Read gaps: the longest of each load generator over the runs, same order as its cores.
  const longest = (runs: Measured[]) =>
    Array.from({ length: Math.max(0, ...runs.map((m) => m.gapMs.length)) }, (_, i) =>
      Math.max(0, ...runs.map((m) => m.gapMs[i] ?? 0)),
    );
  result.loadgenGapMs = longest(pair.crowd);
  const [sameGap = 0, crossGap = 0, sendersGap = 0] = pair.paced.gapMs;
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
    // What crossing through Redis adds to a paced line, over reading it on the sender's server.
    redisHopP50Ms: p50(cross) - p50(same),
    redisHopP99Ms: p99(cross) - p99(same),
    pacedSameGapMs: sameGap,
    pacedCrossGapMs: crossGap,
    pacedSendersGapMs: sendersGap,
    serverANsPerDelivery: perDelivery(pair.crowd, 0),
    serverBNsPerDelivery: perDelivery(pair.crowd, 1),
    redisNsPerDelivery: perDelivery(pair.crowd, 2),
    singleNsPerDelivery: perDelivery(single.crowd, 0),
  });
  const e = result.extra as Record<string, number>;
  result.shape = `${s.clients} clients, half on each server; crowd ${s.messages} lines each, ${plural(s.runs, "run")}; paced ${s.rate}/s for ${s.seconds} s from ${s.senders} senders on the first server, read on both`;
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
    [
      "Redis hop (across − same server)",
      `p50 ${signedMs(e.redisHopP50Ms as number)}, p99 ${signedMs(e.redisHopP99Ms as number)}`,
    ],
    [
      "loadgen read gap max",
      `crowd ${longest(pair.crowd).map(ms).join(" + ")} (one server ${longest(single.crowd).map(ms).join(" + ")}); paced: readers on the senders' server ${ms(sameGap)}, on the other ${ms(crossGap)}, senders ${ms(sendersGap)} (one server ${longest([single.paced]).map(ms).join(" + ")})`,
    ],
  );
}
