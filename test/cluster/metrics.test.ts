/**
 * The metrics of a room over several servers: the Redis link's state, its
 * outages and lag, readiness while it is down, and --workers, whose every
 * scrape sums all workers (never the one the kernel happened to pick).
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnServer } from "../support/cli.ts";
import { type RedisServer, startRedis } from "../support/redis.ts";
import { get, scrape, value } from "../support/scrape.ts";
import { eventually, join, serveShared } from "../support/server.ts";

let redis: RedisServer;
let rooms = 0;
const fresh = () => `m${++rooms}-${process.pid}`;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

/** Poll `port`'s metrics until `check` holds for them. */
async function until(port: number, check: (s: Map<string, number>) => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (check(await scrape(port))) return;
    if (Date.now() > deadline) throw new Error("the metrics never said so");
    await Bun.sleep(50);
  }
}

describe("the Redis link", () => {
  test("its lag: how old a stream entry is when this server reads it", async () => {
    const room = fresh();
    const a = await serveShared(redis.url, room, { web: true, webPort: 0 });
    // The other server in a process of its own, so that this one can be made late.
    const b = await spawnServer(["--redis", redis.url, "--room", room, "--no-web", "--port", "0"]);
    try {
      const ana = await join(a, "ana");
      const bob = await join({ port: b.port }, "bob");
      await ana.until((l) => l === "* bob joined", 10_000);
      bob.send("hello");
      // Busy for 300 ms: the entry bob's server appends waits for this one to read it.
      const busy = Date.now() + 300;
      while (Date.now() < busy) {}
      await ana.until((l) => l === "<bob> hello");
      const s = await scrape(a.web?.port ?? 0);
      expect(value(s, "papo_redis_lag_seconds")).toBeGreaterThan(0.1);
      expect(value(s, "papo_redis_up")).toBe(1);
    } finally {
      b.proc.kill("SIGTERM");
      await b.exited;
    }
  }, 30_000);

  test("down: still live, not ready, the link's state and outages in the metrics; back: ready again", async () => {
    const a = await serveShared(redis.url, fresh(), { web: true, webPort: 0 });
    const port = a.web?.port ?? 0;
    const ready = await get(port, "/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('{"status":"ready","redis":"up"}\n');
    await redis.stop();
    try {
      await until(port, (s) => s.get("papo_redis_up") === 0);
      const notReady = await get(port, "/readyz");
      expect(notReady.status).toBe(503);
      expect(await notReady.text()).toBe('{"status":"redis down","redis":"down"}\n');
      const health = await get(port, "/healthz");
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok", members: 0, redis: "down" });
    } finally {
      await redis.start();
    }
    await until(port, (s) => s.get("papo_redis_up") === 1);
    const s = await scrape(port);
    expect(value(s, "papo_redis_downs_total")).toBe(1);
    expect((await get(port, "/readyz")).status).toBe(200);
  }, 60_000);
});

describe("--workers", () => {
  test("every scrape sums every worker, whichever one the kernel picked", async () => {
    const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const metricsPort = probe.port;
    probe.stop(true);
    const server = await spawnServer([
      ...["--workers", "2", "--redis", redis.url, "--room", fresh(), "--port", "0"],
      ...["--no-web", "--metrics-port", String(metricsPort), "--rate-limit", "0"],
      ...["--max-per-address", "0"],
    ]);
    try {
      await eventually(() => server.output.some((l) => /2 workers listening on/.test(l)), 10_000);
      // The kernel picks a worker per connection: join until both hold members (six at
      // least), so that a scrape answered by either must sum the other's too.
      const members = [];
      const on = (worker: number) =>
        server.output.some((l) => l.startsWith(`[worker ${worker}]`) && l.includes("joined"));
      while (members.length < 6 || !(on(1) && on(2))) {
        if (members.length >= 40) throw new Error("40 connections all went to one worker");
        const name: string = `u${members.length}`;
        members.push(await join({ port: server.port }, name));
        // Its worker's log says so before the next is counted.
        const said = new RegExp(`\\b${name}\\b.*joined`);
        await eventually(() => server.output.some((l) => said.test(l)));
      }
      const total = members.length;
      // Many scrapes, spread over both workers by the kernel: each one the same sums.
      for (let i = 0; i < 8; i++) {
        const s = await scrape(metricsPort);
        expect(value(s, 'papo_workers{state="answered"}')).toBe(2);
        expect(value(s, 'papo_workers{state="missing"}')).toBe(0);
        expect(value(s, 'papo_members{transport="tcp"}')).toBe(total);
        expect(value(s, "papo_connections_total")).toBe(total);
        expect(value(s, "papo_redis_up")).toBe(1);
        expect(s.get("process_resident_memory_bytes")).toBeGreaterThan(0);
      }
    } finally {
      server.proc.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    }
  }, 30_000);
});
