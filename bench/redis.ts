/**
 * A real redis-server on a free loopback port with no persistence, for the
 * cluster scenario and the cluster tests alike: started, stopped (SIGKILL,
 * an outage rather than a goodbye) and started again empty on the same port.
 */

import { track } from "./children.ts";

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** The running process's id, for its CPU; 0 while stopped. */
  pid(): number;
  /** Stop it (SIGKILL: an outage, not a goodbye). */
  stop(): Promise<void>;
  /** Start it again on the same port, empty, as a restarted Redis is (if stopped). */
  start(): Promise<void>;
}

/** Where redis-server is, or a failure saying what to install. */
function binary(): string {
  const found = Bun.which("redis-server");
  if (found === null) {
    throw new Error("this needs redis-server: install it with apt-get install redis-server");
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
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
    ];
    proc = track(
      Bun.spawn([bin, ...args], { stdout: "ignore", stderr: "ignore", stdin: "ignore" }),
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
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => proc?.pid ?? 0,
    stop: async () => {
      const p = proc;
      proc = null;
      if (p === null) return;
      p.kill("SIGKILL");
      await p.exited;
    },
    start,
  };
}
