/**
 * One room, one truth: what two servers and Redis end up holding after
 * changes made at once on both sides, and after a frozen Redis made a
 * server resend what it had sent. Real servers, a real Redis.
 */

import { afterAll, beforeAll, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { decodeBatch } from "../../src/server/cluster/events.ts";
import { type RedisServer, startRedis } from "../support/redis.ts";
import { arrive, eventually, join, serveShared } from "../support/server.ts";

let redis: RedisServer;
let admin: RedisClient;
let rooms = 0;
const fresh = () => `c${++rooms}-${process.pid}`;
const DOWN = "* the link to the other servers is down: for now only people on this server read you";
const BACK = "* the link to the other servers is back";

beforeAll(async () => {
  redis = await startRedis();
  admin = new RedisClient(redis.url);
  await admin.connect();
});
afterAll(async () => {
  admin.close();
  await redis.stop();
});

/** Every line said in the room's stream, one per time it is stored. */
async function storedLines(room: string): Promise<string[]> {
  const entries = (await admin.send("XRANGE", [`papo:${room}:log`, "-", "+"])) as Array<
    [string, string[]]
  >;
  return entries.flatMap(([, fields]) => {
    const batch = decodeBatch(fields[fields.indexOf("b") + 1] ?? "");
    return (batch?.[2] ?? []).flatMap((e) => (e[0] === "s" ? [e[1] as string] : []));
  });
}

test("a topic set on two servers at once: the stream's last word is everyone's, and Redis's", async () => {
  const room = fresh();
  const a = await serveShared(redis.url, room, { opPassword: "pw" });
  const b = await serveShared(redis.url, room, { opPassword: "pw" });
  const ana = await join(a, "ana");
  const bob = await join(b, "bob");
  await eventually(() => a.memberCount() === 2 && b.memberCount() === 2);
  for (const op of [ana, bob]) {
    op.send("/op pw");
    await op.until((l) => l.startsWith("* you are now"));
  }
  // Writes wait in Redis: each server sets its topic, and applies its own, before either hears the other.
  await admin.send("CLIENT", ["PAUSE", "1000", "WRITE"]);
  ana.send("/topic from a");
  bob.send("/topic from b");
  await ana.until((l) => l === "* bob set the topic: from b", 5000);
  await bob.until((l) => l === "* ana set the topic: from a", 5000);
  // Said after each heard the other's topic: once both cross, both servers read both topics' entries.
  ana.send("mark a");
  bob.send("mark b");
  await ana.until((l) => l === "<bob> mark b");
  await bob.until((l) => l === "<ana> mark a");
  const kept = await admin.send("GET", [`papo:${room}:topic`]);
  expect(["from a", "from b"]).toContain(kept);
  for (const [server, name] of [
    [a, "carol"],
    [b, "dave"],
  ] as const) {
    const newcomer = await arrive(server);
    newcomer.send(name);
    expect(await newcomer.until((l) => l.startsWith("* topic:"))).toBe(`* topic: ${kept}`);
  }
  // And a server that starts now reads the same from Redis.
  const c = await serveShared(redis.url, room);
  const late = await arrive(c);
  late.send("erin");
  expect(await late.until((l) => l.startsWith("* topic:"))).toBe(`* topic: ${kept}`);
});

test("a frozen Redis: a line sent into the freeze is stored once, and read once in history", async () => {
  const room = fresh();
  const a = await serveShared(redis.url, room);
  const b = await serveShared(redis.url, room);
  const ana = await join(a, "ana");
  const bob = await join(b, "bob");
  await eventually(() => a.memberCount() === 2 && b.memberCount() === 2);
  await Promise.all([ana.quiet(100), bob.quiet(100)]);
  process.kill(redis.pid(), "SIGSTOP");
  try {
    // Sent to Redis at once, unanswered: resent once the link is back.
    ana.send("into the freeze");
    expect(await ana.next(10_000)).toBe(DOWN);
  } finally {
    process.kill(redis.pid(), "SIGCONT");
  }
  await bob.until((l) => l === "<ana> into the freeze", 15_000);
  await ana.until((l) => l === BACK, 15_000);
  // Said after the return: once bob reads it, every resend is in the stream.
  ana.send("after");
  await bob.until((l) => l === "<ana> after", 15_000);
  const stored = await storedLines(room);
  expect(stored.filter((l) => l === "<ana> into the freeze")).toHaveLength(1);
  const c = await serveShared(redis.url, room, { historyLines: 10 });
  const carol = await arrive(c);
  carol.send("carol");
  const history = (await carol.quiet(300)).filter((l) => l.startsWith("[history"));
  expect(history.filter((l) => l.endsWith("<ana> into the freeze"))).toHaveLength(1);
}, 40_000);
