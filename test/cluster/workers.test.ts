/** `--workers 2`: two processes on one port, one room through Redis. */

import { afterAll, beforeAll, expect, test } from "bun:test";
import { runServer, spawnServer } from "../support/cli.ts";
import { type RedisServer, startRedis } from "../support/redis.ts";
import { arrive, eventually } from "../support/server.ts";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

test("--workers 2 shares one port and one room", async () => {
  const room = `w-${process.pid}`;
  const server = await spawnServer([
    ...["--workers", "2", "--redis", redis.url, "--room", room, "--port", "0"],
    ...["--rate-limit", "0", "--max-per-address", "0"],
  ]);
  try {
    await eventually(() => server.output.some((l) => /2 workers listening on/.test(l)), 10_000);
    const clients = [];
    for (let i = 0; i < 8; i++) {
      const c = await arrive({ port: server.port });
      c.send(`u${i}`);
      expect(await c.next()).toStartWith(`* hello u${i}!`);
      clients.push(c);
    }
    // The kernel split the connections: both workers logged some.
    await eventually(
      () =>
        server.output.some((l) => l.startsWith("[worker 1]") && l.includes("joined")) &&
        server.output.some((l) => l.startsWith("[worker 2]") && l.includes("joined")),
    );
    // Every worker knows all eight: each client's /who says so (asked again until it does).
    for (const c of clients) {
      const deadline = Date.now() + 5000;
      for (;;) {
        c.send("/who");
        const who = await c.until((l) => l.startsWith("* online"));
        if (who.startsWith("* online (8): ")) break;
        if (Date.now() > deadline) throw new Error(`not everyone is known: ${who}`);
      }
    }
    for (const c of clients) c.buffered.length = 0;
    const [first, ...rest] = clients;
    first?.send("one room");
    for (const c of rest) expect(await c.until((l) => l.startsWith("<"))).toBe("<u0> one room");
    rest[0]?.send("/who");
    expect(await rest[0]?.until((l) => l.startsWith("* online"))).toStartWith("* online (8): ");

    // A worker that dies is started again; the room goes on meanwhile.
    const workers = (await Bun.$`ps -o pid= --ppid ${server.proc.pid}`.text()).trim().split(/\s+/);
    expect(workers).toHaveLength(2);
    process.kill(Number(workers[0]), "SIGKILL");
    await eventually(
      () => server.output.some((l) => /worker \d exited .*starting it again/.test(l)),
      5000,
    );
    await eventually(
      () => server.output.filter((l) => /^\[worker \d\] papo listening on/.test(l)).length === 3,
      10_000,
    );
    const late = await arrive({ port: server.port });
    late.send("late");
    expect(await late.next()).toStartWith("* hello late!");
  } finally {
    server.proc.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  }
}, 30_000);

test("--workers without --redis is refused with one sentence", async () => {
  const { code, stderr } = await runServer(["--workers", "2", "--port", "0"]);
  expect(code).toBe(1);
  expect(stderr).toBe("papo: --workers needs --redis (the workers share the room through it)\n");
});

test("an unreachable Redis is one sentence, not a stack trace", async () => {
  const { code, stderr } = await runServer(["--redis", "redis://127.0.0.1:1", "--port", "0"]);
  expect(code).toBe(1);
  expect(stderr).toStartWith("papo: cannot reach Redis at redis://127.0.0.1:1: ");
  expect(stderr.trim().split("\n")).toHaveLength(1);
});

test("one port for chat and web is refused: with workers the kernel would mix the two", async () => {
  const { code, stderr } = await runServer(["--port", "10999", "--web-port", "10999"]);
  expect(code).toBe(1);
  expect(stderr).toBe("papo: --port and --web-port are both 10999: give the web client its own\n");
});
