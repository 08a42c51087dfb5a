/**
 * A real redis-server for cluster tests (the bench's own starter), stopped
 * after the test file; a test may stop and start it to stage an outage.
 */

import { afterAll } from "bun:test";
import { type RedisServer, startRedis as start } from "../../bench/redis.ts";

export type { RedisServer };

const running = new Set<RedisServer>();
afterAll(async () => {
  await Promise.all([...running].map((r) => r.stop()));
  running.clear();
});

export async function startRedis(): Promise<RedisServer> {
  const redis = await start();
  running.add(redis);
  return redis;
}
