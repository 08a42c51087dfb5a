/**
 * Cleanup: thousands of clients reset their connections at once; the figure
 * is how long until the server holds none of them (its descriptors and its
 * member count back where they were), with memory before and after. Then a
 * stretch of churn, clients coming and going while others talk, must leave
 * no growth in descriptors or memory behind.
 *
 * The floor runs the mass reset only: what forgetting that many connections
 * costs at least on Bun. Its memory is not measured, so it waits only
 * FLOOR_SETTLE_MS, not the full settling time, before the reset (its joins
 * leave little garbage to collect).
 *
 * The time compared is the same for both: until the server's descriptors are
 * back. papo's member count (/who, a round trip through a load generator the
 * floor has no counterpart of) is then checked, and its wait reported apart.
 * Like the joins, one reset as large goes first, unmeasured, so that neither
 * server's figure includes compiling its close path (papo's JIT worked 90
 * perf samples' worth through its first one). Then five (one with --quick)
 * are timed and the median reported, with the server's CPU time meanwhile:
 * one reset of a tenth of a second moved by a third between rounds, in
 * either direction, for either server.
 */

import {
  CHURN_RSS_SLACK_BYTES,
  CHURN_RSS_SLACK_FRACTION,
  CHURN_SAMPLE_MS,
  CLEANUP_POLL_MS,
  CLEANUP_TIMEOUT_MS,
  FLOOR_SETTLE_MS,
  MEMORY_SETTLE_MS,
  WHO_TIMEOUT_MS,
} from "../config.ts";
import { type Group, type Pool, share, take } from "../loadgen/pool.ts";
import type { ChurnReply } from "../loadgen/protocol.ts";
import { cpuNs, fdCount, rssBytes } from "../proc.ts";
import { bytes, count, ms } from "../report/format.ts";
import type { Server, TargetName } from "../targets.ts";
import {
  type Context,
  connectAll,
  descriptorsBack,
  flood,
  record,
  type Setup,
  type Sizes,
  withServer,
} from "./harness.ts";
import { emptyResult, median, type Result } from "./result.ts";

export function cleanup(target: TargetName, s: Sizes<"cleanup">, ctx: Context): Promise<Result> {
  const maxClients = s.steady + s.clients + s["churn-rate"] * 10 + 64;
  return withServer("cleanup", target, { maxClients }, ctx, async (setup) => {
    const { server, pool } = setup;
    const result = emptyResult("cleanup", target, s.clients);
    const papo = target === "papo";
    const steady = (await connectAll(setup, s.steady, "s")).group;
    if (papo) await Bun.sleep(MEMORY_SETTLE_MS);
    const fdsBase = fdCount(server.pid);
    const rssBase = rssBytes(server.pid);
    // The floor has no /who: its members are not counted.
    const members = papo ? s.steady : null;

    const base = { fds: fdsBase, rss: rssBase, members };
    await massReset(setup, s.clients, steady, base, "w");
    const resets: Reset[] = [];
    for (let i = 0; i < s.resets; i++) {
      const reset = await massReset(setup, s.clients, steady, base, `m${i}n`);
      if (typeof reset === "string") {
        result.failures.push(reset);
        break;
      }
      resets.push(reset);
    }
    report(result, s.clients, resets, papo);
    // The memory the last reset left: a server that keeps what it forgot grows with every reset.
    if (papo && resets.length > 0) await memoryAfter(result, server.pid, base.rss, resets);
    if (!papo) {
      result.shape = `${s.clients} clients reset at once beside ${s.steady} steady ones`;
      return result;
    }

    // Churn: talkers talk steadily while clients come and go.
    const talkers = take(steady, Math.min(s.talkers, s.steady));
    const messages = Math.max(1, Math.round((s["talk-rate"] * s["churn-seconds"]) / s.talkers));
    const expected = sizeOfTalk(talkers, messages) * (s.steady - 1);
    const samples: Array<{ rss: number; fds: number }> = [];
    const sampler = setInterval(
      () => samples.push({ rss: rssBytes(server.pid), fds: fdCount(server.pid) }),
      CHURN_SAMPLE_MS,
    );
    const churning = churn(pool, server, s);
    const outcome = await flood(setup, {
      senders: talkers,
      messages,
      bytes: 64,
      seconds: s["churn-seconds"],
      expected,
      clients: s.steady,
    });
    const churned = await churning;
    clearInterval(sampler);
    record(result, [outcome], expected);
    // The server's CPU went to churning connections too: per delivery it would mislead.
    result.serverNsPerDelivery = 0;
    result.shape = `${s.talkers} talkers, ${s["talk-rate"]} lines/s to ${s.steady} steady clients while ${s["churn-rate"]} clients/s come and go`;
    const settled = await backTo(server, pool, steady, fdsBase, s.steady, CLEANUP_TIMEOUT_MS);
    const fdsEnd = fdCount(server.pid);
    const rssEnd = rssBytes(server.pid);
    judgeChurn(result, { samples, settled, fdsBase, fdsEnd, rssEnd, churned });
    return result;
  });
}

/** One mass reset, measured. */
interface Reset {
  /** Until the server's descriptors were back. */
  ms: number;
  /** Until the room's /who counted its members again (papo). */
  membersMs: number;
  /** The server's CPU time meanwhile. */
  cpuMs: number;
  /** The server's RSS with every client in, just before they reset. */
  rssFull: number;
}

/**
 * Connect `clients` more clients (their names start with `prefix`), reset
 * them all at once, time how long the server takes to forget them. The
 * reason when it did not within CLEANUP_TIMEOUT_MS; a warm-up ("w") throws it.
 */
async function massReset(
  setup: Setup,
  clients: number,
  steady: Group,
  base: { fds: number; members: number | null },
  prefix: string,
): Promise<Reset | string> {
  const { server, pool, progress, label } = setup;
  const warmUp = prefix === "w";
  const { group: mass } = await connectAll(setup, clients, prefix);
  await Bun.sleep(base.members !== null ? MEMORY_SETTLE_MS : FLOOR_SETTLE_MS);
  const rssFull = rssBytes(server.pid);
  progress.show(`${label} · ${warmUp ? "warming up: " : ""}${clients} clients reset at once`);
  const cpu = cpuNs(server.pid);
  const started = performance.now();
  await pool.each(mass, "reset");
  const deadline = started + CLEANUP_TIMEOUT_MS;
  const closed = await descriptorsBack(server, base.fds, deadline);
  const ms = performance.now() - started;
  const cpuMs = (cpuNs(server.pid) - cpu) / 1e6;
  const counted = closed && (await membersBack(pool, steady, base.members, deadline));
  const membersMs = performance.now() - started;
  if (closed && counted) return { ms, membersMs, cpuMs, rssFull };
  const why = closed
    ? `the room does not count ${base.members} members again`
    : `the server still holds ${fdCount(server.pid) - base.fds} descriptors too many`;
  const failure = `after ${CLEANUP_TIMEOUT_MS / 1000} s ${why}`;
  if (warmUp) throw new Error(`warming up, ${failure}`);
  return failure;
}

/** The resets' medians into `result`: the time is the figure compared with the floor. */
function report(result: Result, clients: number, resets: readonly Reset[], papo: boolean): void {
  if (resets.length === 0) return;
  const cleanupMs = median(resets.map((r) => r.ms));
  const cpuMs = median(resets.map((r) => r.cpuMs));
  const membersMs = median(resets.map((r) => r.membersMs));
  Object.assign(result.extra, { cleanupMs, cleanupCpuMs: cpuMs });
  if (papo) result.extra.membersBackMs = membersMs;
  const also = papo ? ` (the room's /who says so by ${ms(membersMs)})` : "";
  const each = resets.map((r) => ms(r.ms)).join(", ");
  result.figures.push([
    "mass reset",
    `${count(clients)} clients gone in ${ms(cleanupMs)}${also}, median of ${resets.length} after one unmeasured (${each}; server CPU ${ms(cpuMs)})`,
  ]);
}

/** The server's RSS once the last reset has settled, beside the base and the full room. */
async function memoryAfter(
  result: Result,
  pid: number,
  rssBase: number,
  resets: readonly Reset[],
): Promise<void> {
  await Bun.sleep(MEMORY_SETTLE_MS);
  const rssAfter = rssBytes(pid);
  const rssFull = (resets[resets.length - 1] as Reset).rssFull;
  Object.assign(result.extra, {
    rssBaseBytes: rssBase,
    rssFullBytes: rssFull,
    rssAfterBytes: rssAfter,
  });
  result.figures.push([
    "server RSS",
    `${bytes(rssBase)} base, ${bytes(rssFull)} with all, ${bytes(rssAfter)} after`,
  ]);
}

function sizeOfTalk(talkers: Group, messages: number): number {
  return talkers.reduce((n, p) => n + (p.range.to - p.range.from), 0) * messages;
}

/** Each load generator churns its share of the rate; summed. */
async function churn(pool: Pool, server: Server, s: Sizes<"cleanup">): Promise<ChurnReply> {
  const n = pool.gens.length;
  const replies = await Promise.all(
    pool.gens.map((gen, i) =>
      gen.request<ChurnReply>({
        op: "churn",
        to: { host: server.host, port: server.port },
        seconds: s["churn-seconds"],
        rate: Math.max(1, share(s["churn-rate"], n, i)),
        lifeMs: s["churn-life-ms"],
        prefix: `k${i}n`,
      }),
    ),
  );
  return {
    cycles: replies.reduce((a, r) => a + r.cycles, 0),
    failed: replies.reduce((a, r) => a + r.failed, 0),
    error: replies.find((r) => r.error)?.error,
  };
}

/**
 * Wait until the server's descriptors are back to `fds` and /who counts
 * `members`; false if that has not happened within `timeoutMs`.
 */
async function backTo(
  server: Server,
  pool: Pool,
  via: Group,
  fds: number,
  members: number | null,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  if (!(await descriptorsBack(server, fds, deadline))) return false;
  return membersBack(pool, via, members, deadline);
}

/** Wait until the room (asked via /who) counts `members` again; true at once for none to ask. */
async function membersBack(
  pool: Pool,
  via: Group,
  members: number | null,
  deadline: number,
): Promise<boolean> {
  if (members === null) return true;
  while ((await pool.who(via, WHO_TIMEOUT_MS)) !== members) {
    if (performance.now() > deadline) return false;
    await Bun.sleep(CLEANUP_POLL_MS);
  }
  return true;
}

function judgeChurn(
  result: Result,
  m: {
    samples: Array<{ rss: number; fds: number }>;
    settled: boolean;
    fdsBase: number;
    fdsEnd: number;
    rssEnd: number;
    churned: ChurnReply;
  },
): void {
  const { samples, churned } = m;
  // The first third warms up (heap growth, JIT); growth is measured after it.
  const warm = samples[Math.floor(samples.length / 3)]?.rss ?? m.rssEnd;
  const growth = m.rssEnd - warm;
  const allowed = CHURN_RSS_SLACK_BYTES + warm * CHURN_RSS_SLACK_FRACTION;
  const peakFds = Math.max(m.fdsEnd, ...samples.map((x) => x.fds));
  if (!m.settled || m.fdsEnd !== m.fdsBase) {
    result.failures.push(`descriptors after churn: ${m.fdsEnd}, before: ${m.fdsBase}`);
  }
  if (growth > allowed) {
    result.failures.push(
      `memory grew by ${bytes(growth)} during churn (allowed ${bytes(allowed)})`,
    );
  }
  if (churned.failed > 0) {
    result.failures.push(`${churned.failed} churn cycles failed: ${churned.error ?? "unknown"}`);
  }
  Object.assign(result.extra, {
    churnCycles: churned.cycles,
    churnRssWarmBytes: warm,
    churnRssEndBytes: m.rssEnd,
    churnFdsBase: m.fdsBase,
    churnFdsEnd: m.fdsEnd,
    churnFdsPeak: peakFds,
  });
  result.figures.push(
    ["churn", `${count(churned.cycles)} clients came and went`],
    ["churn RSS", `${bytes(warm)} after warm-up, ${bytes(m.rssEnd)} at the end`],
    ["churn descriptors", `${m.fdsBase} before, peak ${peakFds}, ${m.fdsEnd} after`],
  );
}
