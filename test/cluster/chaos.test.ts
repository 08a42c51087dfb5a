/**
 * A two-server room flooded from both sides while Redis is frozen, restarted
 * and has its connections cut, in turn: afterwards every member on both
 * servers has read every line of each sender, in its order, none twice, and
 * the stream holds each line (said since the restart) once.
 */

import { afterAll, beforeAll, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { decodeBatch } from "../../src/server/cluster/events.ts";
import type { LineClient } from "../support/lineclient.ts";
import { type RedisServer, startRedis } from "../support/redis.ts";
import { eventually, join, serveShared } from "../support/server.ts";

let redis: RedisServer;
const DOWN = "* the link to the other servers is down: for now only people on this server read you";
const PER_BURST = 60;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

/** What one member read of each sender's lines, kept as they arrive. */
class Reader {
  readonly heard = new Map<string, number[]>([
    ["ana", []],
    ["bob", []],
  ]);
  readonly notices: string[] = [];
  constructor(readonly client: LineClient) {}

  /** Read until `sender`'s line number `n` arrived. */
  async upTo(sender: string, n: number): Promise<void> {
    const heard = this.heard.get(sender) as number[];
    while (!heard.includes(n)) {
      const line = await this.client.next(15_000);
      const match = /^<(ana|bob)> line (\d+)$/.exec(line);
      if (match === null) this.notices.push(line);
      else this.heard.get(match[1] as string)?.push(Number(match[2]));
    }
  }
}

test("freeze, restart and cut connections during a flood: every line once, in order, everywhere", async () => {
  const room = `chaos-${process.pid}`;
  const a = await serveShared(redis.url, room);
  const b = await serveShared(redis.url, room);
  const ana = await join(a, "ana");
  const carol = await join(a, "carol");
  const bob = await join(b, "bob");
  const dave = await join(b, "dave");
  await eventually(() => a.memberCount() === 4 && b.memberCount() === 4);
  await Promise.all([ana, carol, bob, dave].map((c) => c.quiet(100)));
  const readers = {
    ana: new Reader(ana),
    carol: new Reader(carol),
    bob: new Reader(bob),
    dave: new Reader(dave),
  };
  // Who reads whose lines: a sender does not read its own.
  const audience: Record<string, Reader[]> = {
    ana: [readers.carol, readers.bob, readers.dave],
    bob: [readers.ana, readers.carol, readers.dave],
  };
  let said = 0;
  const burst = () => {
    for (let i = 0; i < PER_BURST; i++) {
      ana.send(`line ${said}`);
      bob.send(`line ${said}`);
      said++;
    }
  };
  /** Every member read every line said so far. */
  const caughtUp = async () => {
    const last = said - 1;
    await Promise.all(
      Object.entries(audience).flatMap(([sender, rs]) => rs.map((r) => r.upTo(sender, last))),
    );
  };
  const admin = new RedisClient(redis.url);
  await admin.connect();

  // 1. Frozen: what was sent into the freeze is resent on return, and stored once.
  burst();
  process.kill(redis.pid(), "SIGSTOP");
  try {
    burst();
    await ana.until((l) => l === DOWN, 10_000);
    burst();
  } finally {
    process.kill(redis.pid(), "SIGCONT");
  }
  await caughtUp();
  const beforeRestart = await storedLines(admin, room);
  expect([...beforeRestart.values()].filter((count) => count !== 1)).toEqual([]);
  expect(beforeRestart.size).toBe(2 * said);

  // 2. Restarted (empty): what was said while it was away is appended on return.
  const sinceRestart = said;
  admin.close();
  await redis.stop();
  burst();
  await redis.start();
  await caughtUp();

  // 3. Every connection cut, mid-flood.
  const admin2 = new RedisClient(redis.url);
  await admin2.connect();
  burst();
  await admin2.send("CLIENT", ["KILL", "TYPE", "normal", "SKIPME", "yes"]);
  burst();
  await caughtUp();

  const all = Array.from({ length: said }, (_, n) => n);
  for (const [sender, rs] of Object.entries(audience)) {
    for (const r of rs) expect(r.heard.get(sender)).toEqual(all);
  }
  // Each line said since the restart is in the stream once.
  const stored = await storedLines(admin2, room);
  for (let n = sinceRestart; n < said; n++) {
    expect([stored.get(`<ana> line ${n}`), stored.get(`<bob> line ${n}`)]).toEqual([1, 1]);
  }
  expect([...stored.values()].every((count) => count === 1)).toBe(true);
  admin2.close();
}, 30_000);

/** How often each line said is stored in the room's stream. */
async function storedLines(admin: RedisClient, room: string): Promise<Map<string, number>> {
  const entries = (await admin.send("XRANGE", [`papo:${room}:log`, "-", "+"])) as Array<
    [string, string[]]
  >;
  const stored = new Map<string, number>();
  for (const [, fields] of entries) {
    for (const e of decodeBatch(fields[fields.indexOf("b") + 1] ?? "")?.[2] ?? []) {
      if (e[0] === "s") stored.set(e[1] as string, (stored.get(e[1] as string) ?? 0) + 1);
    }
  }
  return stored;
}
