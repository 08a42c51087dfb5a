/** Blocks in a room over several servers (docs/protocol.md, "Blocks"): one line of the log, checked on arrival. */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { BLOCK } from "../../src/protocol/limits.ts";
import { parseTagged } from "../../src/protocol/tags.ts";
import { encodeBatch } from "../../src/server/cluster/events.ts";
import type { LineClient } from "../support/lineclient.ts";
import { type RedisServer, startRedis } from "../support/redis.ts";
import { arrive, eventually, join, serveShared } from "../support/server.ts";

let redis: RedisServer;
let rooms = 0;
const fresh = () => `k${++rooms}-${process.pid}`;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

/** Code with indentation (spaces and a tab) and a blank line. */
const CODE = ["def f(x):", "    if x:", "", "\treturn x + 1", "print(f(1))"];

const v1Lines = (name: string, lines: readonly string[]) =>
  lines.map((l) => (l === "" ? `<${name}> |` : `<${name}> | ${l}`));

async function joinV2(server: Parameters<typeof arrive>[0], name: string): Promise<LineClient> {
  const c = await arrive(server);
  c.send("CAP papo/2");
  await c.next();
  c.send(name);
  await c.until((l) => l.includes("ev=limits"));
  return c;
}

/** The next `n` lines a v2 reader reads, without the tags that differ by server or moment (`time`). */
async function parts(c: LineClient, n: number): Promise<string[]> {
  const out: string[] = [];
  while (out.length < n) {
    const { tags, text } = parseTagged(await c.next());
    out.push(`${tags.kind} ${tags.from} ${tags.pos} ${tags.part} ${text}`);
  }
  return out;
}

describe("blocks across servers", () => {
  test("a block said on one server reads the same on another, for plain and v2 readers", async () => {
    const room = fresh();
    const a = await serveShared(redis.url, room);
    const b = await serveShared(redis.url, room, { historyLines: 10 });
    const ana = await join(a, "ana");
    const bea = await joinV2(a, "bea");
    const bob = await join(b, "bob");
    const cy = await joinV2(b, "cy");
    await eventually(() => a.memberCount() === 4 && b.memberCount() === 4);
    await Promise.all([ana.quiet(100), bea.quiet(100), bob.quiet(100), cy.quiet(100)]);
    ana.writeAll(["```", ...CODE, "```"].map((l) => `${l}\n`));
    const onA = await parts(bea, CODE.length);
    const onB = await parts(cy, CODE.length);
    expect(onB).toEqual(onA);
    expect(onB.map((p) => p.split(" ").slice(0, 2).join(" "))).toEqual(CODE.map(() => "chat ana"));
    expect(onB.map((p) => p.split(" ")[3])).toEqual(CODE.map((_, i) => `${i + 1}/${CODE.length}`));
    for (const line of v1Lines("ana", CODE)) expect(await bob.next()).toBe(line);
    // One entry of history on the other server too, and on one started later (from the stream).
    const c = await serveShared(redis.url, room, { historyLines: 10 });
    for (const [server, name] of [
      [b, "dee"],
      [c, "eve"],
    ] as const) {
      const late = await join(server, name);
      for (const line of v1Lines("ana", CODE))
        expect((await late.next()).replace(/^\[history \d\d:\d\d\] /, "")).toBe(line);
      expect(await late.quiet(100)).toEqual([]);
    }
  });

  test("a bad block injected into the stream is checked: bounded, sanitised, or skipped", async () => {
    const room = fresh();
    const a = await serveShared(redis.url, room);
    const b = await serveShared(redis.url, room);
    const ana = await join(a, "ana");
    const bob = await join(b, "bob");
    await eventually(() => a.memberCount() === 2 && b.memberCount() === 2);
    await Promise.all([ana.quiet(100), bob.quiet(100)]);
    const block = (who: string, lines: string[]) => v1Lines(who, lines).join("\n");
    const events = [
      [
        "s",
        block(
          "zoe",
          Array.from({ length: BLOCK.maxLines + 1 }, (_, i) => `l${i}`),
        ),
      ],
      [
        "s",
        block(
          "zoe",
          Array.from({ length: 20 }, () => "y".repeat(1000)),
        ),
      ],
      ["s", `${block("zoe", ["a"])}\n${block("bob", ["forged"])}`],
      ["s", `${block("zoe", ["a", "b"])}\r\n* server shutting down`],
      ["s", `<zoe> | ${"\n".repeat(5_000_000)}`],
      ["s", block("zoe", ["", "red\u001b[31m", "\u0007bell", ""])],
    ];
    const admin = new RedisClient(redis.url);
    await admin.connect();
    await admin.send("XADD", [
      `papo:${room}:log`,
      "*",
      "b",
      encodeBatch(["evil", 1, events as never]),
    ]);
    admin.close();
    for (const reader of [ana, bob]) {
      expect(await reader.next()).toBe("<zoe> | red");
      expect(await reader.next()).toBe("<zoe> | bell");
    }
    ana.send("still fine");
    expect(await bob.next()).toBe("<ana> still fine");
    expect(await ana.quiet(100)).toEqual([]);
  });
});
