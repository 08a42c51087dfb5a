/**
 * /healthz, /readyz and /metrics over real sockets: every series papo
 * reports moves when what it counts happens (none is wired to nothing),
 * health and readiness through a shutdown, who may read the metrics, and
 * --metrics-port. Redis's link and --workers are in test/cluster/metrics.test.ts.
 */

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { makeCert } from "../support/cert.ts";
import { runServer } from "../support/cli.ts";
import { connect } from "../support/lineclient.ts";
import { joinFrom } from "../support/netclient.ts";
import { get, type Samples, samples, scrape, value } from "../support/scrape.ts";
import { arrive, eventually, join, serve } from "../support/server.ts";

const LINE = "x".repeat(990);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(joinPath(tmpdir(), "papo-metrics-"));
  dirs.push(dir);
  return dir;
}

/** The series papo reports that `after` has larger than `before` (or new). */
function moved(before: Samples, after: Samples): Set<string> {
  const out = new Set<string>();
  for (const [series, v] of after) {
    if (series.startsWith("papo_") && v > (before.get(series) ?? 0)) out.add(series);
  }
  return out;
}

const cert = makeCert();

describe("every series moves", () => {
  test("members, lines, deliveries, bytes, members behind, lines skipped, evictions, wrong operator passwords, the store", async () => {
    const server = serve({
      web: true,
      webPort: 0,
      opPassword: "boss",
      windowBytes: 64 * 1024,
      dataDir: tempDir(),
    });
    const port = server.web?.port ?? 0;
    const before = await scrape(port);
    const seen = new Set<string>();
    const look = async () => {
      const now = await scrape(port);
      for (const series of moved(before, now)) seen.add(series);
      return now;
    };

    const op = await join(server, "op");
    await join(server, "bia", "websocket");
    const slow = await join(server, "slow");
    await join(server, "kid");
    const pupil = await joinFrom(server.port, "pupil", "127.0.0.2");
    await op.until((l) => l === "* pupil joined");
    const present = await look();
    expect(value(present, 'papo_members{transport="tcp"}')).toBe(4);
    expect(value(present, 'papo_members{transport="ws"}')).toBe(1);
    expect(value(present, "papo_room_members")).toBe(5);
    expect(value(present, "papo_connections")).toBe(5);

    op.send("/op nope");
    await op.until((l) => l === "! wrong password", 10_000);
    op.send("/op boss");
    await op.until((l) => l === "* you are now an operator", 10_000);

    // A reader stops; megabytes go by, far past the 64 KB window.
    slow.pause();
    await fallBehind(op, async () => value(await look(), "papo_members_behind") > 0);
    slow.resume();
    await slow.until((l) => /^\* you missed \d+ lines$/.test(l), 10_000);

    op.send("/kick kid");
    await op.until((l) => l.startsWith("* kid was kicked"));
    op.send("/ban pupil");
    await op.until((l) => l === "* pupil was banned by op");
    await pupil.closed;
    const again = await joinFrom(server.port, "pupil", "127.0.0.2", false);
    expect(await again.next()).toBe("! you are banned from this room");
    await server.store?.flushed();

    const after = await look();
    expect([...seen].sort()).toEqual(
      [
        'papo_members{transport="tcp"}',
        'papo_members{transport="ws"}',
        "papo_room_members",
        "papo_connections",
        "papo_connections_total",
        "papo_lines_total",
        "papo_deliveries_total",
        "papo_bytes_out_total",
        "papo_members_behind",
        "papo_lines_skipped_total",
        'papo_evictions_total{reason="kicked"}',
        'papo_evictions_total{reason="banned"}',
        'papo_evictions_total{reason="refused_banned"}',
        'papo_wrong_passwords_total{password="operator"}',
        "papo_store_bytes",
        "papo_store_writes_total",
        "papo_store_write_seconds_total",
        "papo_store_write_seconds_max",
      ].sort(),
    );
    // A line to several members is several deliveries; every member got most of the ~1 MB.
    expect(value(after, "papo_deliveries_total")).toBeGreaterThan(value(after, "papo_lines_total"));
    expect(value(after, "papo_bytes_out_total")).toBeGreaterThan(3_000_000);
    // The runtime's figures are there too, under the names dashboards know.
    for (const name of [
      "process_resident_memory_bytes",
      "nodejs_heap_size_used_bytes",
      "nodejs_eventloop_lag_p99_seconds",
    ]) {
      expect(after.get(name)).toBeGreaterThan(0);
    }
  }, 30_000);

  test("TLS members, wrong room passwords, flood-control delays, refusals at the door", async () => {
    const server = serve({
      web: true,
      webPort: 0,
      tlsCert: cert.certPath,
      tlsKey: cert.keyPath,
      roomPassword: "door",
      rateLimit: 1,
      rateBurst: 1,
      maxPerAddress: 1,
      maxClients: 2,
    });
    const port = server.web?.port ?? 0;
    const scrapeTls = async () => {
      const response = await fetch(`https://127.0.0.1:${port}/metrics`, {
        tls: { rejectUnauthorized: false },
      });
      return samples(await response.text());
    };
    const before = await scrapeTls();
    const ana = await arrive(server);
    ana.send("guess");
    expect(await ana.next(10_000)).toBe("! wrong password");
    // One connection of this address at the door already: the next is refused.
    const crowd = await connect(server.port, "127.0.0.1", true);
    expect(await crowd.next()).toBe("! too many connections from your address");
    ana.send("door");
    await ana.until((l) => l.startsWith("* password accepted"), 10_000);
    ana.send("ana");
    await ana.until((l) => l.startsWith("* limits:"));
    const bia = await arrive(server);
    bia.send("door");
    await bia.until((l) => l.startsWith("* password accepted"), 10_000);
    bia.send("bia");
    await bia.until((l) => l.startsWith("* limits:"));
    const full = await connect(server.port, "127.0.0.1", true);
    expect(await full.next()).toBe("! server full");
    // Past the burst of one line: the next waits for a token.
    ana.write("one\ntwo\nthree\n");
    await bia.until((l) => l === "<ana> two", 10_000);

    const after = await scrapeTls();
    expect([...moved(before, after)].sort()).toEqual(
      [
        'papo_members{transport="tls"}',
        "papo_room_members",
        "papo_connections",
        "papo_connections_total",
        "papo_lines_total",
        "papo_deliveries_total",
        "papo_bytes_out_total",
        'papo_evictions_total{reason="refused_address_cap"}',
        'papo_evictions_total{reason="refused_server_full"}',
        "papo_flood_delays_total",
        'papo_wrong_passwords_total{password="room"}',
      ].sort(),
    );
    expect(value(after, 'papo_members{transport="tls"}')).toBe(2);
  }, 30_000);

  test("a wrong password counts when it is found wrong, though its connection closes before the answer", async () => {
    const server = serve({ web: true, webPort: 0, roomPassword: "door" });
    const port = server.web?.port ?? 0;
    // Six addresses: one address's guesses past the few held at once would wait unchecked.
    const guesses = await Promise.all(
      [2, 3, 4, 5, 6, 7].map((n) => joinFrom(server.port, "", `127.0.0.${n}`, false)),
    );
    for (const guess of guesses) {
      expect(await guess.next()).toStartWith("* ");
      guess.send("wrong");
      guess.end();
    }
    await Promise.all(guesses.map((guess) => guess.closed));
    const series = 'papo_wrong_passwords_total{password="room"}';
    const deadline = Date.now() + 5_000;
    let after = await scrape(port);
    while (value(after, series) < 6 && Date.now() < deadline) after = await scrape(port);
    expect(value(after, series)).toBe(6);
  }, 30_000);

  test("a member who stops reading is closed past --behind-timeout: an eviction, not reading", async () => {
    const server = serve({ web: true, webPort: 0, behindTimeoutMs: 300 });
    const port = server.web?.port ?? 0;
    const before = await scrape(port);
    const stuck = await join(server, "stuck");
    const ana = await join(server, "ana");
    await stuck.until((l) => l === "* ana joined");
    stuck.pause();
    await fallBehind(ana, async () => value(await scrape(port), "papo_members_behind") > 0);
    // Closed once the sweep (every 5 s) finds it past the timeout.
    await stuck.closed;
    const after = await scrape(port);
    expect(moved(before, after)).toContain('papo_evictions_total{reason="not_reading"}');
  }, 30_000);
});

describe("health and readiness", () => {
  test("one line of JSON each: live and ready while serving, not ready while stopping", async () => {
    const server = serve({ web: false, metricsPort: await freePort() });
    const port = server.metricsPort ?? 0;
    await join(server, "ana");
    const health = await get(port, "/healthz");
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('{"status":"ok","members":1,"redis":"none"}\n');
    const ready = await get(port, "/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('{"status":"ready","redis":"none"}\n');
    // Shutting down: still alive, no longer ready, until it is gone.
    const stopped = server.stop();
    const stopping = await get(port, "/readyz");
    expect(stopping.status).toBe(503);
    expect(await stopping.text()).toBe('{"status":"stopping","redis":"none"}\n');
    const alive = await get(port, "/healthz");
    expect(alive.status).toBe(200);
    expect(await alive.json()).toMatchObject({ status: "stopping", redis: "none" });
    await stopped;
  });

  test("healthz from a forwarded request leaves the member count out", async () => {
    const server = serve({ web: true, webPort: 0 });
    const response = await get(server.web?.port ?? 0, "/healthz", {
      "x-forwarded-for": "10.0.0.9",
    });
    expect(await response.json()).toEqual({ status: "ok", redis: "none" });
  });

  test("only GET and HEAD", async () => {
    const server = serve({ web: true, webPort: 0 });
    const response = await fetch(`http://127.0.0.1:${server.web?.port}/metrics`, {
      method: "POST",
    });
    expect(response.status).toBe(405);
  });
});

describe("who may read /metrics", () => {
  test("this machine, unless a proxy forwarded the request: then only with the token", async () => {
    const server = serve({ web: true, webPort: 0, metricsToken: "s3cret" });
    const port = server.web?.port ?? 0;
    expect((await get(port, "/metrics")).status).toBe(200);
    const forwarded = { "x-forwarded-for": "203.0.113.7" };
    const asked = await get(port, "/metrics", forwarded);
    expect(asked.status).toBe(401);
    expect(asked.headers.get("www-authenticate")).toBe('Bearer realm="papo metrics"');
    const wrong = await get(port, "/metrics", { ...forwarded, authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    const right = await get(port, "/metrics", { ...forwarded, authorization: "Bearer s3cret" });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain("papo_connections ");
  });

  test("without a token, a forwarded request is refused", async () => {
    const server = serve({ web: true, webPort: 0 });
    const response = await get(server.web?.port ?? 0, "/metrics", {
      forwarded: "for=198.51.100.1",
    });
    expect(response.status).toBe(403);
  });

  test("a name this server is not known by gets nothing (DNS rebinding)", async () => {
    const server = serve({ web: true, webPort: 0 });
    const response = await get(server.web?.port ?? 0, "/metrics", { host: "evil.example" });
    expect(response.status).toBe(421);
  });
});

describe("--metrics-port", () => {
  test("serves the three routes alone, with --no-web too", async () => {
    const server = serve({ web: false, metricsPort: await freePort() });
    const port = server.metricsPort ?? 0;
    expect((await get(port, "/metrics")).status).toBe(200);
    expect((await get(port, "/readyz")).status).toBe(200);
    expect((await get(port, "/")).status).toBe(404);
  });

  test("the chat's or the web client's port is refused in one sentence", async () => {
    expect(await runServer(["--port", "10998", "--metrics-port", "10998"])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "papo: --metrics-port and --port are both 10998: give the metrics a port of their own\n",
    });
    expect(await runServer(["--web-port", "10997", "--metrics-port", "10997"])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "papo: --metrics-port and --web-port are both 10997: give the metrics a port of their own\n",
    });
  });
});

/**
 * `sender` says ~1 MB at a time until `behind` (a reader stopped: the kernel's
 * buffers take some megabytes first, how many depends on the machine).
 */
async function fallBehind(
  sender: { write(s: string): void; readonly unsent: number },
  behind: () => Promise<boolean>,
): Promise<void> {
  for (let round = 0; round < 64; round++) {
    const batch: string[] = [];
    for (let i = 0; i < 1000; i++) batch.push(`${round}.${i} ${LINE}\n`);
    sender.write(batch.join(""));
    await eventually(() => sender.unsent === 0, 10_000);
    if (await behind()) return;
  }
  throw new Error("the stopped reader never fell behind");
}

/** A port free now (--metrics-port takes no 0). */
async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}
