/**
 * The operator log says how each connection came (tcp, tls, ws) and why a
 * failure failed; `--log-format json` prints everything as JSON lines.
 */

import { expect, test } from "bun:test";
import { join } from "node:path";
import { makeCert } from "../support/cert.ts";
import { runServer, runToEnd, withServer } from "../support/cli.ts";
import { connect } from "../support/lineclient.ts";
import { startRedis } from "../support/redis.ts";
import { eventually } from "../support/server.ts";

const cert = makeCert();
const ROOT = join(import.meta.dir, "..", "..");

type Line = Record<string, unknown>;

test("--log-format json: every line an object; connections with transport, wrong passwords with why", async () => {
  const args = [
    "-p",
    "0",
    "--log-format",
    "json",
    "--room-password",
    "door",
    "--op-password",
    "pw",
  ];
  await withServer(args, async (child) => {
    const parsed = () => child.output.map((l) => JSON.parse(l) as Line);
    const tcp = await connect(child.port);
    await tcp.next();
    tcp.send("not the password");
    const ws = await connect(child.webPort, "127.0.0.1", false, true);
    await ws.next();
    ws.send("door");
    await ws.until((l) => l.startsWith("* "));
    ws.send("ana");
    await ws.until((l) => l.startsWith("* limits"));
    ws.send("/op guess");
    await eventually(
      () => parsed().filter((l) => String(l.event).startsWith("wrong")).length === 2,
    );
    const lines = parsed();
    for (const line of lines) {
      expect(typeof line.time).toBe("string");
      expect(Number.isNaN(Date.parse(String(line.time)))).toBe(false);
      expect(["info", "note", "event"]).toContain(String(line.kind));
      expect(typeof line.msg).toBe("string");
    }
    expect(lines[0]).toMatchObject({
      kind: "info",
      msg: `papo listening on 127.0.0.1:${child.port}`,
    });
    const events = lines.filter((l) => l.kind === "event");
    const tcpAt = `127.0.0.1:${tcp.socket.localPort}`;
    expect(events).toContainEqual(
      expect.objectContaining({
        event: "connected",
        transport: "tcp",
        address: tcpAt,
        ip: "127.0.0.1",
        msg: "connected (tcp)",
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ event: "wrong room password", transport: "tcp", address: tcpAt }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ event: "connected", transport: "ws", msg: "connected (ws)" }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ event: "joined", name: "ana", transport: "ws" }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ event: "wrong operator password", name: "ana", transport: "ws" }),
    );
    // Never the passwords themselves.
    expect(child.output.join("\n")).not.toMatch(/not the password|guess/);
  });
});

test("a TLS listener's connections say tls; refusals say how they came and why", async () => {
  const tlsArgs = ["--tls-cert", cert.certPath, "--tls-key", cert.keyPath];
  await withServer(["-p", "0", "--no-web", "--max-per-address", "1", ...tlsArgs], async (child) => {
    const first = await connect(child.port, "127.0.0.1", true);
    await first.next();
    const second = await connect(child.port, "127.0.0.1", true);
    expect(await second.next()).toBe("! too many connections from your address");
    await eventually(() => child.output.some((l) => l.includes("refused")));
    const log = child.output.slice(1).map((l) => l.replace(/^\S+ \S+ \S+ /, ""));
    expect(log).toEqual(["connected (tls)", "refused (tls, crowded)"]);
  });
});

test("--log-format json leaves out the QR codes, and says why it cannot start as JSON", async () => {
  await withServer(
    ["-p", "0", "--host", "0.0.0.0", "--log-format", "json", "-q"],
    async (child) => {
      await eventually(() => child.output.some((l) => l.includes("web client on")));
      for (const line of child.output) expect(JSON.parse(line)).toBeObject();
      expect(child.output.join("\n")).not.toContain("scan to open");
    },
  );
  const bad = await runServer(["-p", "0", "--log-format", "json", "--trust-proxy", "proxy.local"]);
  expect(bad.code).toBe(1);
  expect(JSON.parse(bad.stderr)).toMatchObject({
    kind: "error",
    msg: '--trust-proxy: "proxy.local" is not an IP address or a range such as 10.0.0.0/8',
  });
  const text = await runServer(["-p", "0", "--log-format", "yaml"]);
  expect(text.stderr).toBe('papo: --log-format must be one of text, json, got "yaml"\n');
});

test("--workers with --log-format json: the workers' own JSON lines, each with its number", async () => {
  const redis = await startRedis();
  try {
    const args = [
      "-p",
      "0",
      "--no-web",
      "--workers",
      "2",
      "--redis",
      redis.url,
      "--log-format",
      "json",
    ];
    await withServer(args, async (child) => {
      await eventually(() => child.output.some((l) => l.includes("2 workers listening")), 10_000);
      const lines = child.output.map((l) => JSON.parse(l) as Line);
      const listening = lines.filter((l) => String(l.msg).startsWith("papo listening on"));
      expect(listening.map((l) => l.worker).sort()).toEqual([1, 2]);
      expect(lines).toContainEqual(
        expect.objectContaining({
          kind: "info",
          msg: `papo: 2 workers listening on 127.0.0.1:${child.port}`,
        }),
      );
    });
  } finally {
    await redis.stop();
  }
}, 20_000);

test("--log-format json: an unexpected error at startup is one JSON line too, and exit 1", async () => {
  // A bug stands in for itself: the store's opening throws what nobody expected.
  const script = `
    import { RoomStore } from "./src/server/store/sqlite.ts";
    import { main } from "./src/cli/run-server.ts";
    RoomStore.open = () => { throw new TypeError("nobody expected this"); };
    await main(["-p", "0", "--no-web", "--data", "/tmp", "--log-format", "json"]);
  `;
  const { stdout, stderr, code } = await runToEnd([process.execPath, "-e", script], { cwd: ROOT });
  expect(code).toBe(1);
  expect(stdout).toBe("");
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  const line = JSON.parse(lines[0] as string) as Line;
  expect(line).toMatchObject({ kind: "error", msg: "nobody expected this" });
  expect(String(line.stack)).toContain("TypeError: nobody expected this");
});

test("--workers with --log-format json: a worker's errors are JSON lines with its number", async () => {
  const redis = await startRedis();
  const taken = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  try {
    const args = ["--workers", "2", "--redis", redis.url, "--no-web", "--log-format", "json"];
    const failed = await runServer([...args, "--port", String(taken.port)]);
    expect(failed.code).toBe(1);
    const lines = failed.stderr
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Line);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatchObject({
        kind: "error",
        msg: `cannot listen on 127.0.0.1:${taken.port}: the address is already in use`,
      });
      expect([1, 2]).toContain(line.worker as number);
    }
  } finally {
    taken.stop(true);
    await redis.stop();
  }
}, 20_000);
