/**
 * Positions and resume in a room over two servers: every line has the same
 * position on every server (the stream gives it), so a papo client cut from
 * one server resumes on the other, reads each line said meanwhile once, and
 * gets the private lines sent to it while away; nobody reads it leave.
 */

import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { parsePosition, parseTagged } from "../../src/protocol/tags.ts";
import type { LineClient } from "../support/lineclient.ts";
import { type RedisServer, startRedis } from "../support/redis.ts";
import { arrive, join, serveShared } from "../support/server.ts";

let redis: RedisServer;
let rooms = 0;
const fresh = () => `r${++rooms}-${process.pid}`;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

type Server = Awaited<ReturnType<typeof serveShared>>;

/** A papo client's connection by hand: version 2, then a name; returns its token and start. */
async function joinV2(server: Server, name: string): Promise<{ c: LineClient; token: string }> {
  const c = await arrive(server);
  c.send("CAP papo/2");
  expect(parseTagged(await c.next()).tags.kind).toBe("cap");
  c.send(name);
  const welcome = parseTagged(await c.until((l) => l.includes("ev=welcome")));
  await c.until((l) => l.includes("ev=limits"));
  return { c, token: welcome.tags.token as string };
}

/** The room lines among `lines` as [position, text]. */
function roomLines(lines: readonly string[]): Array<[string, string]> {
  return lines
    .map(parseTagged)
    .filter((t) => t.tags.kind === "chat" || t.tags.kind === "action")
    .map((t) => [t.tags.pos as string, t.text]);
}

test("a line has the same position on every server of the room", async () => {
  const room = fresh();
  const a = await serveShared(redis.url, room);
  const b = await serveShared(redis.url, room);
  const { c: onA } = await joinV2(a, "ana");
  const { c: onB } = await joinV2(b, "bob");
  const carol = await join(a, "carol");
  const dave = await join(b, "dave");
  carol.send("from a");
  dave.send("from b");
  carol.send("from a again");
  const seenA = roomLines(await onA.quiet(400));
  const seenB = roomLines(await onB.quiet(100));
  expect(seenA.map(([, text]) => text)).toEqual(seenB.map(([, text]) => text));
  expect(seenA).toEqual(seenB);
  expect(seenA.length).toBe(3);
  // One epoch, positions one after the other, in the stream's order.
  const seqs = seenA.map(([pos]) => parsePosition(pos)?.seq as number);
  expect(new Set(seenA.map(([pos]) => parsePosition(pos)?.epoch)).size).toBe(1);
  expect(seqs.every((s, i) => i === 0 || s > (seqs[i - 1] as number))).toBe(true);
});

test("cut from one server, a papo client resumes on the other: each missed line once, its private line, no left or joined", async () => {
  const room = fresh();
  const a = await serveShared(redis.url, room);
  const b = await serveShared(redis.url, room);
  const { c: xena, token } = await joinV2(a, "xena");
  const yuri = await join(b, "yuri");
  const walt = await join(a, "walt");
  await xena.until((l) => l.includes("walt joined"));
  yuri.send("one");
  const [[lastPos]] = roomLines([await xena.until((l) => l.endsWith("<yuri> one"))]) as [
    [string, string],
  ];
  xena.send("mine");
  await walt.until((l) => l === "<xena> mine");
  // The network drops: server a sees the connection reset, and xena is away.
  xena.reset();
  const who = async () => {
    walt.send("/who");
    return walt.until((l) => l.startsWith("* online"));
  };
  for (let i = 0; i < 100 && !(await who()).includes("xena (away)"); i++) await Bun.sleep(20);
  expect(await who()).toContain("xena (away)");
  yuri.send("two");
  walt.send("three");
  yuri.send("/msg xena psst");
  await yuri.until((l) => l.startsWith("[private to xena]"));
  await walt.until((l) => l === "<yuri> two");

  // Back, on the other server.
  const back = await arrive(b);
  back.send("CAP papo/2");
  await back.next();
  back.send(`RESUME ${token} ${lastPos}`);
  const resumed = parseTagged(await back.next());
  expect(resumed.tags.ev).toBe("resumed");
  expect(resumed.tags.token).toMatch(/^[0-9a-f]{16}\.[0-9a-f]{32}$/);
  const after = await back.quiet(600);
  // Lines said while away, once each, in the room's order; not its own line again; its private line.
  const missed = roomLines(after);
  expect(missed.map(([, text]) => text).sort()).toEqual(["<walt> three", "<yuri> two"]);
  const [p1, p2] = missed.map(([pos]) => parsePosition(pos)?.seq as number);
  expect(p1).toBeGreaterThan(parsePosition(lastPos)?.seq as number);
  expect(p2).toBeGreaterThan(p1 as number);
  expect(after.filter((l) => l.includes("<xena> mine"))).toEqual([]);
  expect(after.filter((l) => l.includes("psst"))).toHaveLength(1);
  expect(after.some((l) => l.includes("gap"))).toBe(false);

  // Nobody read a leave or a join; xena is on b now, in the room once, not away.
  yuri.send("/who");
  expect(await yuri.until((l) => l.startsWith("* online"))).toBe("* online (3): yuri, xena, walt");
  const told = [...(await walt.quiet(200)), ...(await yuri.quiet(50))];
  expect(told.filter((l) => /xena (left|joined)/.test(l))).toEqual([]);
  walt.send("four");
  expect(roomLines([await back.until((l) => l.endsWith("<walt> four"))])).toHaveLength(1);
  // And the name is b's now: a new connection on a cannot take it.
  const other = await arrive(a);
  other.send("xena");
  expect(await other.next()).toBe("! name taken: xena");
});

test("a token is spent once: a second resume with it, on either server, fails", async () => {
  const room = fresh();
  const a = await serveShared(redis.url, room);
  const b = await serveShared(redis.url, room);
  const { c: xena, token } = await joinV2(a, "xena");
  // (Whether server a has seen the reset yet or not: a resume takes over either way.)
  xena.reset();
  const first = await arrive(b);
  first.send("CAP papo/2");
  await first.next();
  first.send(`RESUME ${token} -`);
  expect(parseTagged(await first.next()).tags.ev).toBe("resumed");
  for (const server of [a, b]) {
    const again = await arrive(server);
    again.send("CAP papo/2");
    await again.next();
    again.send(`RESUME ${token} -`);
    expect(parseTagged(await again.next()).tags.ev).toBe("resumeFailed");
  }
});

/** A new connection that resumes with `token` from no position; the answer's `ev`. */
async function resumeOn(server: Server, token: string): Promise<{ back: LineClient; ev: string }> {
  const back = await arrive(server);
  back.send("CAP papo/2");
  await back.next();
  back.send(`RESUME ${token} -`);
  return { back, ev: parseTagged(await back.next()).tags.ev as string };
}

async function who(c: LineClient): Promise<string> {
  c.send("/who");
  return c.until((l) => l.startsWith("* online"));
}

test("in a shared room a member resumes on its own server too", async () => {
  const room = fresh();
  const a = await serveShared(redis.url, room);
  const { c, token } = await joinV2(a, "xena");
  c.reset();
  expect((await resumeOn(a, token)).ev).toBe("resumed");
});

test("renamed, then resumed elsewhere while the old connection looks open: one member, the new name", async () => {
  const room = fresh();
  const a = await serveShared(redis.url, room);
  const b = await serveShared(redis.url, room);
  const { c, token } = await joinV2(a, "xena");
  c.send("/nick zed");
  await c.until((l) => l.includes("ev=renamed") || l.includes("zed"));
  const walt = await join(b, "walt");
  const { ev } = await resumeOn(b, token);
  expect(ev).toBe("resumed");
  await c.closed;
  expect(await who(walt)).toBe("* online (2): walt, zed");
});

test("a token whose member's name someone else holds now brings nobody back", async () => {
  const room = fresh();
  const a = await serveShared(redis.url, room);
  const b = await serveShared(redis.url, room);
  const c = await serveShared(redis.url, room);
  const { token } = await joinV2(a, "xena");
  await a.stop();
  // Welcomed: its claim is in Redis.
  const other = await join(c, "xena");
  expect((await resumeOn(b, token)).ev).toBe("resumeFailed");
  expect(await who(other)).toBe("* online (1): xena");
  // Nor was the name taken from its holder.
  const late = await arrive(c);
  late.send("xena");
  expect(await late.next()).toBe("! name taken: xena");
});

test("a resume cut while its token is being taken gives the token back: the member still resumes", async () => {
  const room = fresh();
  const a = await serveShared(redis.url, room);
  await serveShared(redis.url, room);
  const { c, token } = await joinV2(a, "xena");
  c.reset();
  const cut = await arrive(a);
  cut.send("CAP papo/2");
  await cut.next();
  cut.send(`RESUME ${token} -`);
  cut.reset();
  // No event says the take came back and was undone (the connection it was for is gone):
  // a moment for its Redis round trips, or the next take would find the token spent.
  await Bun.sleep(200);
  expect((await resumeOn(a, token)).ev).toBe("resumed");
});

test("with --data as well, a server of a shared room keeps a record but takes the room from Redis: history once", async () => {
  const room = fresh();
  const dataDir = mkdtempSync(joinPath(tmpdir(), "papo-shared-store-"));
  try {
    let a = await serveShared(redis.url, room, { dataDir, historyLines: 10 });
    const ana = await join(a, "ana");
    const bob = await join(a, "bob");
    for (const n of [1, 2, 3]) ana.send(`m${n}`);
    await bob.until((l) => l === "<ana> m3");
    await a.stop();
    a = await serveShared(redis.url, room, { dataDir, historyLines: 10 });
    const late = await join(a, "late");
    const history = (await late.quiet(300)).filter((l) => l.startsWith("[history"));
    expect(history.map((l) => l.replace(/^\[history [^\]]+\] /, ""))).toEqual([
      "<ana> m1",
      "<ana> m2",
      "<ana> m3",
    ]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
