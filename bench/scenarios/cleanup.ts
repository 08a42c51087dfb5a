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
 * Like the joins, the reset timed is the second: one as large goes first,
 * unmeasured, so that neither server's figure includes compiling its close
 * path (papo's JIT worked 90 perf samples' worth through its first one).
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
import { fdCount, rssBytes } from "../proc.ts";
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
import { emptyResult, type Result } from "./result.ts";

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
    await massReset(setup, s.clients, steady, base, null);
    await massReset(setup, s.clients, steady, base, result);
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

/**
 * Connect `clients` more clients, reset them all at once, time how long the
 * server takes to forget them (into `result`; null: a warm-up, unmeasured).
 */
async function massReset(
  setup: Setup,
  clients: number,
  steady: Group,
  base: { fds: number; rss: number; members: number | null },
  result: Result | null,
): Promise<void> {
  const { server, pool, progress, label } = setup;
  const { group: mass } = await connectAll(setup, clients, result === null ? "w" : "m");
  const settle = base.members !== null;
  await Bun.sleep(settle ? MEMORY_SETTLE_MS : FLOOR_SETTLE_MS);
  const rssFull = rssBytes(server.pid);
  const stage = result === null ? "warming up: " : "";
  progress.show(`${label} · ${stage}${clients} clients reset at once`);
  const started = performance.now();
  await pool.each(mass, "reset");
  const deadline = started + CLEANUP_TIMEOUT_MS;
  const closed = await descriptorsBack(server, base.fds, deadline);
  const cleanupMs = performance.now() - started;
  const counted = closed && (await membersBack(pool, steady, base.members, deadline));
  const membersMs = performance.now() - started;
  if (!closed || !counted) {
    const why = closed
      ? `the room does not count ${base.members} members again`
      : `the server still holds ${fdCount(server.pid) - base.fds} descriptors too many`;
    const failure = `after ${CLEANUP_TIMEOUT_MS / 1000} s ${why}`;
    if (result === null) throw new Error(`warming up, ${failure}`);
    result.failures.push(failure);
  }
  if (result === null) return;
  result.extra.cleanupMs = cleanupMs;
  const also = base.members === null ? "" : ` (the room's /who says so by ${ms(membersMs)})`;
  result.figures.push([
    "mass reset",
    `${count(clients)} clients gone in ${ms(cleanupMs)}${also}, after as many, unmeasured`,
  ]);
  if (!settle) return;
  result.extra.membersBackMs = membersMs;
  await Bun.sleep(MEMORY_SETTLE_MS);
  const rssAfter = rssBytes(server.pid);
  Object.assign(result.extra, {
    rssBaseBytes: base.rss,
    rssFullBytes: rssFull,
    rssAfterBytes: rssAfter,
  });
  result.figures.push([
    "server RSS",
    `${bytes(base.rss)} base, ${bytes(rssFull)} with all, ${bytes(rssAfter)} after`,
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
