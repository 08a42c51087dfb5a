/**
 * A real redis-server for cluster tests (the bench's own starter). Each test
 * file stops its own in afterAll; whatever is still running when the test
 * process exits (an interrupted run) is killed then, so none is left behind.
 */

import { type RedisServer, startRedis as start } from "../../bench/redis.ts";

export type { RedisServer };

const running = new Set<RedisServer>();
process.on("exit", () => {
  for (const redis of running) {
    const pid = redis.pid();
    if (pid > 0) process.kill(pid, "SIGKILL");
  }
});

export async function startRedis(): Promise<RedisServer> {
  const redis = await start();
  running.add(redis);
  return redis;
}
