/** Two or three papo servers on one real Redis are one room. */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type RedisServer, startRedis } from "../support/redis.ts";
import { arrive, eventually, join, serveShared } from "../support/server.ts";

let redis: RedisServer;
let rooms = 0;
/** A room name of its own for each test: tests share one Redis. */
const fresh = () => `t${++rooms}-${process.pid}`;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

describe("one room over two servers", () => {
  test("chat both ways, and join and leave notices reach the other server", async () => {
    const room = fresh();
    const a = await serveShared(redis.url, room);
    const b = await serveShared(redis.url, room);
    const ana = await join(a, "ana");
    const bob = await join(b, "bob");
    expect(await ana.next()).toBe("* bob joined");
    ana.send("hi from a");
    expect(await bob.until((l) => l.startsWith("<"))).toBe("<ana> hi from a");
    bob.send("/me waves");
    expect(await ana.next()).toBe("* <bob> waves");
    bob.send("/quit");
    expect(await ana.next()).toBe("* bob left");
  });

  test("the welcome and /who count and list everyone on every server", async () => {
    const room = fresh();
    const a = await serveShared(redis.url, room);
    const b = await serveShared(redis.url, room);
    const ana = await join(a, "ana");
    const bob = await arrive(b);
    // Each server learns of the other's members through the stream, a moment later.
    await eventually(() => b.memberCount() === 1);
    bob.send("bob");
    expect(await bob.next()).toBe("* hello bob! 2 online: bob, ana (type /help for commands)");
    await bob.next();
    await ana.until((l) => l === "* bob joined");
    ana.send("/who");
    expect(await ana.until((l) => l.startsWith("* online"))).toBe("* online (2): ana, bob");
  });

  test("a name is unique across servers, whatever its case or look", async () => {
    const room = fresh();
    const a = await serveShared(redis.url, room);
    const b = await serveShared(redis.url, room);
    await join(a, "ana");
    const other = await arrive(b);
    other.send("ANA");
    expect(await other.next()).toBe("! name taken: ANA");
    other.send("аna"); // Cyrillic а
    expect(await other.next()).toBe("! name taken: аna");
  });

  test("two clients racing for one name on two servers: exactly one wins", async () => {
    const room = fresh();
    const a = await serveShared(redis.url, room);
    const b = await serveShared(redis.url, room);
    for (let round = 0; round < 10; round++) {
      const x = await arrive(a);
      const y = await arrive(b);
      const name = `racer${round}`;
      x.send(name);
      y.send(name);
      const answers = [await x.next(), await y.next()];
      const won = answers.filter((l) => l.startsWith(`* hello ${name}!`));
      const lost = answers.filter((l) => l === `! name taken: ${name}`);
      expect([won.length, lost.length]).toEqual([1, 1]);
      x.send("/quit");
      y.send("/quit");
    }
  });

  test("/msg and /nick work across servers", async () => {
    const room = fresh();
    const a = await serveShared(redis.url, room);
    const b = await serveShared(redis.url, room);
    const ana = await join(a, "ana");
    const bob = await join(b, "bob");
    await ana.next(); // bob joined
    await bob.quiet(100); // perhaps "ana joined", if B heard of her after bob's welcome
    ana.send("/msg BOB psst");
    expect(await ana.next()).toBe("[private to bob] psst");
    expect(await bob.next()).toBe("[private] <ana> psst");
    bob.send("/nick robert");
    expect(await bob.next()).toBe("* bob is now known as robert");
    expect(await ana.next()).toBe("* bob is now known as robert");
    ana.send("/msg bob hello?");
    expect(await ana.next()).toBe("! no such user: bob");
    ana.send("/msg robert hello");
    expect(await bob.next()).toBe("[private] <ana> hello");
    // The old name is free everywhere again, the new one is not.
    const carol = await arrive(a);
    carol.send("robert");
    expect(await carol.next()).toBe("! name taken: robert");
    carol.send("bob");
    expect(await carol.next()).toStartWith("* hello bob! 3 online");
  });

  test("per-sender order with several senders on several servers", async () => {
    const room = fresh();
    const servers = [
      await serveShared(redis.url, room),
      await serveShared(redis.url, room),
      await serveShared(redis.url, room),
    ];
    const senders = await Promise.all(servers.map((s, i) => join(s, `s${i}`)));
    const readers = await Promise.all(servers.map((s, i) => join(s, `r${i}`)));
    await eventually(() => servers.every((s) => s.memberCount() === 6));
    for (const r of readers) r.buffered.length = 0;
    const count = 300;
    for (let n = 0; n < count; n++) for (const [i, s] of senders.entries()) s.send(`${i}:${n}`);
    for (const reader of readers) {
      const next = [0, 0, 0];
      while (next.some((n) => n < count)) {
        const line = await reader.next(5000);
        const m = /^<s(\d)> (\d):(\d+)$/.exec(line);
        if (m === null) continue;
        const i = Number(m[1]);
        expect(Number(m[3])).toBe(next[i] as number);
        next[i] = (next[i] as number) + 1;
      }
    }
  });
});
