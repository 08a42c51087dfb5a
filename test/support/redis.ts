/**
 * A real redis-server for cluster tests, on a free loopback port, with no
 * persistence; stopped (or restarted, to test an outage) by the test.
 */

import { afterAll } from "bun:test";

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stop it (SIGKILL: an outage, not a goodbye). */
  stop(): Promise<void>;
  /** Start it again on the same port, empty, as a restarted Redis is (if stopped). */
  start(): Promise<void>;
}

const running = new Set<RedisServer>();
afterAll(async () => {
  await Promise.all([...running].map((r) => r.stop()));
});

/** Where redis-server is, or a failure saying what to install. */
function binary(): string {
  const found = Bun.which("redis-server");
  if (found === null) {
    throw new Error(
      "the cluster tests need redis-server: install it with apt-get install redis-server",
    );
  }
  return found;
}

export async function startRedis(): Promise<RedisServer> {
  const bin = binary();
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  let proc: ReturnType<typeof Bun.spawn> | null = null;
  const start = async () => {
    if (proc !== null) return;
    proc = Bun.spawn(
      [bin, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdout: "ignore", stderr: "ignore", stdin: "ignore" },
    );
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
        s.end();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
        await Bun.sleep(20);
      }
    }
  };
  await start();
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      const p = proc;
      proc = null;
      if (p === null) return;
      p.kill("SIGKILL");
      await p.exited;
    },
    start,
  };
  running.add(server);
  return server;
}
