/**
 * What every socket scenario does the same way: start the server and the load
 * generators (and always stop both), connect a crowd, and run a flood while
 * watching deliveries, CPU on each side and server memory, until every
 * expected line has arrived or progress stops.
 */

import {
  CLEANUP_POLL_MS,
  CONNECT_MS_PER_1000,
  MAX_WAIT_MS,
  MIN_RATE,
  POLL_MS,
  type ScenarioName,
  type SIZES,
  STALL_MS,
  WARM_UP_FRACTION,
  WARM_UP_MAX_FLOODS,
  WARM_UP_QUIET_SHARE,
} from "../config.ts";
import type { Histogram } from "../loadgen/histogram.ts";
import { type Connected, type Group, Pool } from "../loadgen/pool.ts";
import type { SendReply } from "../loadgen/protocol.ts";
import { compilerNs, cpuShare, fdCount, markCpu, rssBytes } from "../proc.ts";
import { count } from "../report/format.ts";
import type { Progress } from "../report/progress.ts";
import { type Server, type ServerOptions, startServer, type TargetName } from "../targets.ts";
import { median, type Result } from "./result.ts";

/** A scenario's sizes, resolved from the defaults and the flags. */
export type Sizes<S extends ScenarioName> = { [K in keyof (typeof SIZES)[S]]: number };

/** What main hands every scenario. */
export interface Context {
  quick: boolean;
  loadgens: number;
  progress: Progress;
  /** Which round this is when the scenario's runs are taken in turn with others' ("round 2 of 3"). */
  round?: string;
}

/** A running server with its load generators. */
export interface Setup {
  server: Server;
  pool: Pool;
  label: string;
  progress: Progress;
}

/**
 * Start `target` and the load generators, run `body`, and stop everything
 * whatever happens. papo must also shut down cleanly on SIGTERM.
 */
export async function withServer(
  scenario: ScenarioName,
  target: TargetName,
  options: ServerOptions,
  ctx: Context,
  body: (setup: Setup) => Promise<Result>,
): Promise<Result> {
  const server = await startServer(target, options);
  const pool = Pool.start(ctx.loadgens);
  let result: Result | undefined;
  try {
    const label = `${scenario} · ${target}${ctx.round ? ` · ${ctx.round}` : ""}`;
    result = await body({ server, pool, label, progress: ctx.progress });
    return result;
  } finally {
    await pool.stop();
    const code = await server.stop();
    if (result && target === "papo" && code !== 0) {
      result.failures.push(`the server exited with ${code ?? "a kill"} instead of 0 on SIGTERM`);
    }
    ctx.progress.clear();
  }
}

/** Connect `count` clients; throws (failing the scenario) unless every one joined. */
export async function connectAll(
  setup: Setup,
  count: number,
  prefix: string,
  stamped = false,
): Promise<Connected> {
  const { server, pool, progress, label } = setup;
  const timeoutMs = 5000 + Math.ceil(count / 1000) * CONNECT_MS_PER_1000;
  const transport = server.transport;
  const port = transport === "websocket" ? server.webPort : server.port;
  const connecting = pool.connect({ host: server.host, port, transport }, count, prefix, {
    stamped,
    timeoutMs,
  });
  let done = false;
  connecting.finally(() => {
    done = true;
  });
  const base = (await pool.progress()).joined;
  while (!done) {
    const joined = (await pool.progress()).joined - base;
    progress.show(`${label} · connecting: ${joined}/${count} joined`);
    await Promise.race([connecting, Bun.sleep(POLL_MS * 5)]);
  }
  const connected = await connecting;
  if (connected.failed > 0) {
    throw new Error(
      `${connected.failed} of ${count} clients could not join: ${connected.error ?? "timed out"}`,
    );
  }
  return connected;
}

export interface FloodPlan {
  senders: Group;
  messages: number;
  bytes: number;
  /** Spread the sending over this many seconds (paced, timestamped) instead of all at once. */
  seconds?: number;
  /** Chat lines the clients should receive in all. */
  expected: number;
  /** Clients connected, for the progress line. */
  clients: number;
  /**
   * Count deliveries to these clients only (default: every client); the
   * flood's time then ends with the last line one of them received.
   */
  counted?: Group;
  /** Called as the sending is asked for: what a scenario times from the start of the flood. */
  onStart?: () => void;
  /** Which flood this is, for the progress line ("run 2 of 3"). */
  stage?: string;
}

export interface FloodOutcome {
  received: number;
  seconds: number;
  rate: number;
  serverNs: number;
  /** The part of serverNs its JIT compiler threads used (0 where they cannot be told apart). */
  compilerNs: number;
  serverCores: number;
  loadgenCores: number[];
  /** Each load generator's longest gap in reading its sockets during the flood (ms). */
  loadgenGapMs: number[];
  /** Highest server RSS seen while the flood ran. */
  peakRss: number;
  notices: number;
  latency: Histogram | null;
  /** Why the wait ended early, if it did. */
  stopped?: string;
}

/** Run one flood and measure it; waits until every expected line arrived, or gives up. */
export async function flood(setup: Setup, plan: FloodPlan): Promise<FloodOutcome> {
  const { server, pool, progress, label } = setup;
  const counted = plan.counted;
  const linesNow = async () => (counted ? await pool.count(counted) : undefined);
  // Each load generator measures its read gap from here.
  const before = await pool.progress(false, true);
  const countedBefore = await linesNow();
  const pids = [server.pid, ...pool.pids];
  const startCpu = markCpu(pids);
  const startCompiler = compilerNs(server.pid);
  let sent: SendReply | null = null;
  let sendError: Error | null = null;
  plan.onStart?.();
  const sending = pool.send(plan.senders, plan.messages, plan.bytes, plan.seconds).then(
    (reply) => {
      sent = reply;
    },
    (error: Error) => {
      sendError = error;
    },
  );

  const waitMs = (plan.seconds ?? 0) * 1000 + (plan.expected / MIN_RATE) * 1000 + STALL_MS;
  const deadline = performance.now() + Math.min(MAX_WAIT_MS, waitMs);
  let peakRss = rssBytes(server.pid);
  let got = 0;
  let lastChange = performance.now();
  let stopped: string | undefined;
  for (;;) {
    await Bun.sleep(POLL_MS);
    const now = await pool.progress();
    peakRss = Math.max(peakRss, rssBytes(server.pid));
    const fresh = ((await linesNow()) ?? now.lines) - (countedBefore ?? before.lines);
    if (fresh !== got) lastChange = performance.now();
    got = fresh;
    const percent = plan.expected > 0 ? Math.floor((100 * got) / plan.expected) : 100;
    const stage = plan.stage ? ` · ${plan.stage}` : "";
    progress.show(
      `${label}${stage} · ${now.joined - now.closed}/${plan.clients} connected · ${percent}% of ${count(plan.expected)} deliveries`,
    );
    if (got >= plan.expected) break;
    if (!server.alive()) stopped = "the server died";
    else if (sendError !== null) stopped = `sending failed: ${(sendError as Error).message}`;
    else if (performance.now() - lastChange > STALL_MS && sent !== null) {
      stopped = `no delivery for ${STALL_MS / 1000} s`;
    } else if (performance.now() > deadline) stopped = "time is up";
    if (stopped !== undefined) break;
  }
  const endCpu = markCpu(pids);
  const endCompiler = compilerNs(server.pid);
  await Promise.race([sending, Bun.sleep(1000)]);
  const after = await pool.progress(plan.seconds !== undefined);
  const received = ((await linesNow()) ?? after.lines) - (countedBefore ?? before.lines);
  const start = (sent as SendReply | null)?.startUs ?? 0;
  const lastUs = counted ? await pool.lastUs(counted) : after.lastUs;
  const seconds = start > 0 && lastUs > start ? (lastUs - start) / 1e6 : 0;
  const cpu = cpuShare(startCpu, endCpu);
  return {
    received,
    seconds,
    rate: seconds > 0 ? received / seconds : 0,
    serverNs: cpu.ns[0] ?? 0,
    compilerNs: Math.max(0, endCompiler - startCompiler),
    serverCores: cpu.cores[0] ?? 0,
    loadgenCores: cpu.cores.slice(1),
    loadgenGapMs: after.gapMs,
    peakRss,
    notices: after.notices - before.notices,
    latency: after.latency,
    stopped,
  };
}

/**
 * The same flood `runs` times, after the warm-up, so that no measured run
 * pays for warming up (JIT, buffers). Several runs give a median and a
 * spread: one flood of a fraction of a second is at the mercy of whatever
 * else the two cores were doing.
 */
export async function floods(
  setup: Setup,
  plan: FloodPlan,
  runs: number,
  quick = false,
): Promise<{ warm: WarmUp; outcomes: FloodOutcome[] }> {
  // --quick judges no ratio: one warm-up flood keeps it short.
  const warm = await warmUp(setup, plan, quick ? 1 : WARM_UP_MAX_FLOODS);
  const outcomes: FloodOutcome[] = [];
  for (let i = 1; i <= runs; i++) {
    outcomes.push(await flood(setup, { ...plan, stage: `run ${i} of ${runs}` }));
  }
  return { warm, outcomes };
}

/** What warming up took. */
export interface WarmUp {
  floods: number;
  /** CPU time the server's JIT compiler threads used meanwhile (ns). */
  compilerNs: number;
  /** False: the compiler was still busy after the last warm-up flood allowed. */
  quiet: boolean;
}

/**
 * Unmeasured floods a tenth the plan's size until two in a row leave the
 * server's JIT compiler quiet (under WARM_UP_QUIET_SHARE of the server's CPU),
 * at most `most` (1 for the scenarios that compare two arms of their own
 * run by run, where both pay alike). One is not enough for a ratio between
 * servers: JavaScriptCore compiles a function again at each higher tier as
 * it runs more often, so a server with more code keeps its compiler busy for
 * longer (papo's for some 25,000 crowd lines, the floor's for 2,000), and a
 * measured run that overlapped it counted one-time compiling as the cost of
 * every delivery.
 */
export async function warmUp(setup: Setup, plan: FloodPlan, most = 1): Promise<WarmUp> {
  const messages = Math.ceil(plan.messages / WARM_UP_FRACTION);
  const expected = (plan.expected / plan.messages) * messages;
  let compiled = 0;
  let quiet = 0;
  for (let i = 1; i <= most; i++) {
    const o = await flood(setup, { ...plan, messages, expected, stage: `warming up (${i})` });
    compiled += o.compilerNs;
    quiet = o.compilerNs <= o.serverNs * WARM_UP_QUIET_SHARE ? quiet + 1 : 0;
    // One quiet flood may only be a pause between two tiers: wait for a second.
    if (quiet >= Math.min(2, most)) return { floods: i, compilerNs: compiled, quiet: true };
  }
  return { floods: most, compilerNs: compiled, quiet: false };
}

/**
 * The warm-up as the report says it, with the share of the measured runs'
 * server CPU that still went to compiling, and a note when the compiler never
 * went quiet.
 */
export function recordWarmUp(
  result: Result,
  warm: WarmUp,
  measured: readonly FloodOutcome[],
): void {
  const all = measured.reduce((n, o) => n + o.serverNs, 0);
  const compiling = measured.reduce((n, o) => n + o.compilerNs, 0);
  result.extra.warmUpFloods = warm.floods;
  result.extra.warmUpCompilerMs = warm.compilerNs / 1e6;
  const share = all > 0 ? compiling / all : 0;
  result.extra.measuredCompilerShare = share;
  const floods = `${warm.floods} warm-up flood${warm.floods === 1 ? "" : "s"}`;
  result.figures.push([
    "warm-up",
    `${floods}, unmeasured, ${Math.round(warm.compilerNs / 1e6)} ms of JIT compiling (then ${Math.round(100 * share)}% of the measured runs' server CPU)`,
  ]);
  if (!warm.quiet) {
    result.notes.push(
      `the JIT compiler was still busy after ${floods}: the measured runs include some of its work`,
    );
  }
}

/**
 * Fill a result's common figures from its floods (each expected to deliver
 * `expected` lines): totals of what was lost, medians of the rest. Adds a
 * failure for every lost line.
 */
export function record(result: Result, outcomes: readonly FloodOutcome[], expected: number): void {
  result.runs = outcomes.map((o) => ({
    seconds: o.seconds,
    rate: o.rate,
    serverNsPerDelivery: o.received > 0 ? o.serverNs / o.received : 0,
  }));
  const of = (pick: (o: FloodOutcome) => number) => median(outcomes.map(pick));
  result.expected = expected * outcomes.length;
  result.received = outcomes.reduce((n, o) => n + o.received, 0);
  result.lost = result.expected - result.received;
  result.seconds = of((o) => o.seconds);
  result.rate = of((o) => o.rate);
  result.serverNsPerDelivery = median(result.runs.map((r) => r.serverNsPerDelivery));
  result.serverCores = of((o) => o.serverCores);
  const loadgens = outcomes[0]?.loadgenCores.length ?? 0;
  result.loadgenCores = Array.from({ length: loadgens }, (_, i) =>
    of((o) => o.loadgenCores[i] ?? 0),
  );
  result.loadgenGapMs = Array.from({ length: loadgens }, (_, i) =>
    Math.max(0, ...outcomes.map((o) => o.loadgenGapMs[i] ?? 0)),
  );
  const stopped = outcomes.find((o) => o.stopped !== undefined)?.stopped;
  if (result.lost > 0) {
    result.failures.push(`${count(result.lost)} lines lost${stopped ? ` (${stopped})` : ""}`);
  } else if (result.lost < 0) {
    result.failures.push(`${count(-result.lost)} more lines received than sent`);
  }
  const notices = outcomes.reduce((n, o) => n + o.notices, 0);
  if (notices > 0) result.notes.push(`${count(notices)} notices received during the floods`);
}

/** Wait until the server holds at most `fds` descriptors; false if it still holds more at `deadline` (performance.now()) or died. */
export async function descriptorsBack(
  server: Server,
  fds: number,
  deadline: number,
): Promise<boolean> {
  while (fdCount(server.pid) > fds) {
    if (performance.now() > deadline || !server.alive()) return false;
    await Bun.sleep(CLEANUP_POLL_MS);
  }
  return true;
}
