/**
 * What a room over several servers does when a server dies, when Redis goes
 * away and comes back, and when a connection to Redis is cut: real
 * processes, a real Redis, kill -9.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { RedisClient } from "bun";
import { spawnServer } from "../support/cli.ts";
import type { LineClient } from "../support/lineclient.ts";
import { type RedisServer, startRedis } from "../support/redis.ts";
import { arrive, eventually, join, serveShared } from "../support/server.ts";

type Listening = { readonly port: number };

let redis: RedisServer;
let rooms = 0;
const fresh = () => `f${++rooms}-${process.pid}`;
const DOWN = "* the link to the other servers is down: for now only people on this server read you";
const BACK = "* the link to the other servers is back";

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

/**
 * Two servers of a fresh room, ana on the first and bob on the second, once
 * each server has heard of the other's member (and what they were told of
 * each other, a join notice or none, is read).
 */
async function anaAndBob() {
  const room = fresh();
  const a = await serveShared(redis.url, room);
  const b = await serveShared(redis.url, room);
  const ana = await join(a, "ana");
  const bob = await join(b, "bob");
  await eventually(() => a.memberCount() === 2 && b.memberCount() === 2);
  await Promise.all([ana.quiet(100), bob.quiet(100)]);
  return { room, a, b, ana, bob };
}

const cliArgs = (room: string) => [
  "--redis",
  redis.url,
  "--room",
  room,
  "--port",
  "0",
  "--rate-limit",
  "0",
  "--max-per-address",
  "0",
  "--history",
  "0",
  "--quiet",
];

describe("a server that dies", () => {
  test("kill -9: its members are announced as left and their names freed within 10 s", async () => {
    const room = fresh();
    const doomed = await spawnServer(cliArgs(room));
    try {
      const b = await serveShared(redis.url, room);
      const ana = await join({ port: doomed.port }, "ana");
      const bob = await join(b, "bob");
      expect(await ana.next()).toBe("* bob joined");
      ana.send("still here");
      expect(await bob.until((l) => l.startsWith("<"))).toBe("<ana> still here");
      const killed = Date.now();
      doomed.proc.kill("SIGKILL");
      expect(await bob.next(10_000)).toBe("* ana left");
      expect(Date.now() - killed).toBeLessThan(10_000);
      const again = await arrive(b);
      again.send("ana");
      expect(await again.next()).toStartWith("* hello ana! 2 online");
    } finally {
      doomed.proc.kill("SIGKILL");
      await doomed.exited;
    }
  }, 20_000);

  test("a server that shuts down says so: its members leave at once", async () => {
    const { a, bob } = await anaAndBob();
    const started = Date.now();
    await a.stop();
    expect(await bob.until((l) => l.endsWith("left"))).toBe("* ana left");
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("Redis goes away and comes back", () => {
  test("each server keeps its own members, says once that the link is down, and restores the room", async () => {
    const room = fresh();
    const a = await serveShared(redis.url, room);
    const b = await serveShared(redis.url, room);
    const ana = await join(a, "ana");
    const carol = await join(a, "carol");
    const bob = await join(b, "bob");
    await ana.until((l) => l === "* bob joined");
    await carol.until((l) => l === "* bob joined");
    await bob.quiet(100);

    await redis.stop();
    try {
      await outage(a, b, ana, bob, carol);
    } finally {
      await redis.start();
    }
  }, 30_000);
});

async function outage(
  a: Listening,
  b: Listening,
  ana: LineClient,
  bob: LineClient,
  carol: LineClient,
): Promise<void> {
  expect(await ana.next(15_000)).toBe(DOWN);
  expect(await bob.next(15_000)).toBe(DOWN);
  expect(await carol.next(15_000)).toBe(DOWN);
  // Still one room on each server.
  ana.send("said while apart");
  expect(await carol.next()).toBe("<ana> said while apart");
  // The same name, taken on both servers while they cannot ask each other.
  const zedA = await join(a, "zed");
  const zedB = await join(b, "zed");

  await redis.start();
  const seen: string[] = [];
  while (seen.at(-1) !== BACK) seen.push(await bob.next(10_000));
  // The line said during the outage reached the other server after all.
  seen.push(...(await bob.quiet(500)));
  expect(seen).toContain("<ana> said while apart");

  // Exactly one of the two zeds was renamed, and was told why.
  const heardA = await zedA.quiet(1000);
  const heardB = await zedB.quiet(1000);
  const told = (lines: string[]) =>
    lines.some((l) =>
      l.startsWith(
        "* while the servers were apart, zed was taken on another one: you are now zed-2",
      ),
    );
  expect([told(heardA), told(heardB)].filter(Boolean)).toHaveLength(1);

  // Presence restored: everyone counts everyone again, and chat crosses.
  bob.send("/who");
  const who = await bob.until((l) => l.startsWith("* online"));
  expect(who).toStartWith("* online (5): ");
  for (const name of ["ana", "carol", "bob", "zed", "zed-2"]) expect(who).toContain(name);
  ana.send("together again");
  expect(await bob.until((l) => l.startsWith("<ana>"))).toBe("<ana> together again");
}

describe("a frozen Redis", () => {
  test("connected but silent counts as down, and its return as back", async () => {
    const { ana, bob } = await anaAndBob();
    process.kill(redis.pid(), "SIGSTOP");
    try {
      expect(await ana.next(10_000)).toBe(DOWN);
      ana.send("while frozen");
    } finally {
      process.kill(redis.pid(), "SIGCONT");
    }
    const seen: string[] = [];
    while (!seen.includes("<ana> while frozen")) seen.push(await bob.next(15_000));
    expect(await ana.until((l) => l === BACK, 15_000)).toBe(BACK);
  }, 40_000);
});

describe("a cut connection", () => {
  test("a cut connection to Redis loses no line: the stream catches up", async () => {
    const { ana, bob } = await anaAndBob();
    const admin = new RedisClient(redis.url);
    await admin.connect();
    const count = 400;
    const half = count / 2;
    for (let n = 0; n < half; n++) ana.send(`line ${n}`);
    // The first line crossed: the stream is flowing when the connection is cut,
    // with the rest of the first half still on its way and the second half said after.
    const first = await bob.until((l) => l.startsWith("<ana>"), 10_000);
    expect(first).toBe("<ana> line 0");
    await admin.send("CLIENT", ["KILL", "TYPE", "normal", "SKIPME", "yes"]);
    for (let n = half; n < count; n++) ana.send(`line ${n}`);
    let next = 1;
    const notices: string[] = [];
    while (next < count) {
      const line = await bob.next(10_000);
      if (line === DOWN || line === BACK) notices.push(line);
      if (!line.startsWith("<ana>")) continue;
      expect(line).toBe(`<ana> line ${next}`);
      next++;
    }
    // The cut was noticed, and so was the return.
    if (!notices.includes(BACK)) notices.push(await bob.until((l) => l === BACK, 10_000));
    expect(notices).toEqual([DOWN, BACK]);
    admin.close();
  }, 30_000);
});

describe("Redis answers with errors", () => {
  test("out of memory: the servers act as if it were away, and come back once it takes writes", async () => {
    const { ana, bob } = await anaAndBob();
    const admin = new RedisClient(redis.url);
    await admin.connect();
    try {
      await admin.send("CONFIG", ["SET", "maxmemory", "1"]);
      expect(await ana.next(15_000)).toBe(DOWN);
      expect(await bob.next(15_000)).toBe(DOWN);
      ana.send("while redis refused writes");
    } finally {
      await admin.send("CONFIG", ["SET", "maxmemory", "0"]);
    }
    const seen: string[] = [];
    while (!seen.includes("<ana> while redis refused writes")) seen.push(await bob.next(15_000));
    expect(await ana.until((l) => l === BACK, 15_000)).toBe(BACK);
    admin.close();
  }, 40_000);

  test("an entry in the stream that is not papo's is skipped, once", async () => {
    const { ana, bob, room } = await anaAndBob();
    const admin = new RedisClient(redis.url);
    await admin.connect();
    const reads = async () => {
      const info: string = await admin.send("INFO", ["commandstats"]);
      return Number(/cmdstat_xread:calls=(\d+)/.exec(info)?.[1] ?? 0);
    };
    await admin.send("XADD", [`papo:${room}:log`, "*", "other", "data"]);
    await admin.send("XADD", [`papo:${room}:log`, "*", "b", "not json"]);
    const before = await reads();
    // A rate over a window of time is the thing measured: a loop would make
    // hundreds of calls in it, a blocked XREAD a handful.
    await Bun.sleep(1000);
    // Two servers blocked in XREAD ask again only when it times out, not in a loop.
    expect((await reads()) - before).toBeLessThan(20);
    ana.send("still fine");
    expect(await bob.until((l) => l.startsWith("<"))).toBe("<ana> still fine");
    admin.close();
  });
});

describe("a long outage", () => {
  test("memory stays bounded however much is said while Redis is away, and members hear what was lost", async () => {
    const room = fresh();
    const server = await spawnServer([...cliArgs(room), "--max-line-bytes", "4096"]);
    try {
      const ana = await join({ port: server.port }, "ana");
      await redis.stop();
      expect(await ana.next(15_000)).toBe(DOWN);
      const rss = () => {
        const status = readFileSync(`/proc/${server.proc.pid}/status`, "utf8");
        return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      };
      // 400 MB of lines for the other servers, with nobody here to read them.
      const line = `${"x".repeat(3999)}\n`;
      const chunk = line.repeat(250);
      let afterFirst = 0;
      for (let i = 0; i < 400; i++) {
        ana.write(chunk);
        await ana.sent(4 * chunk.length);
        if (i === 100) afterFirst = rss();
      }
      // The answer to /who comes once the server has handled every line before it.
      ana.send("/who");
      expect(await ana.until((l) => l.startsWith("* online"), 30_000)).toBe("* online (1): ana");
      // The buffer keeps 16 MiB of turns and drops the oldest: past the first
      // 100 MB memory levels off (the heap's garbage headroom included), where
      // an unbounded buffer would take on the next 300 MB. On a busy machine the
      // collector may lag behind the flood: wait for it to catch up (an
      // unbounded buffer never would), for a few seconds at most.
      const bound = 48 * 1024 * 1024;
      await eventually(() => rss() - afterFirst < bound, 8_000).catch(() => {});
      expect(rss() - afterFirst).toBeLessThan(bound);
      await redis.start();
      const lost = await ana.until(
        (l) => / turns of lines from this server never reached/.test(l),
        15_000,
      );
      expect(lost).toMatch(
        /^\* \d+ turns of lines from this server never reached the other servers$/,
      );
    } finally {
      await redis.start();
      server.proc.kill("SIGKILL");
      await server.exited;
    }
  }, 60_000);
});
