/** Operators, the topic and history in a room over two servers. */

import { afterAll, beforeAll, expect, test } from "bun:test";
import { joinFrom } from "../support/netclient.ts";
import { type RedisServer, startRedis } from "../support/redis.ts";
import { arrive, eventually, join, serveShared } from "../support/server.ts";

let redis: RedisServer;
let rooms = 0;
const fresh = () => `m${++rooms}-${process.pid}`;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

async function pair(overrides = {}) {
  const room = fresh();
  const a = await serveShared(redis.url, room, { opPassword: "sesame", ...overrides });
  const b = await serveShared(redis.url, room, { opPassword: "sesame", ...overrides });
  return { a, b, room };
}

test("an operator on one server kicks a member on the other; everyone reads why", async () => {
  const { a, b } = await pair();
  const op = await join(a, "teacher");
  const bob = await join(b, "bob");
  await eventually(() => a.memberCount() === 2 && b.memberCount() === 2);
  op.send("/op sesame");
  expect(await op.until((l) => l.startsWith("* you"))).toBe("* you are now an operator");
  op.send("/kick bob stop that");
  expect(await bob.until((l) => l.includes("kicked"))).toBe(
    "* bob was kicked by teacher (stop that)",
  );
  await bob.closed;
  expect(await op.until((l) => l.includes("kicked"))).toBe(
    "* bob was kicked by teacher (stop that)",
  );
  await eventually(() => a.memberCount() === 1);
});

test("a ban from one server shuts the address out of every server, until /unban", async () => {
  const { a, b } = await pair();
  const op = await join(a, "teacher");
  // From another loopback address, so the operator does not ban itself.
  const bob = await joinFrom(b.port, "bob", "127.0.0.2");
  // A witness on bob's server: the room's events reach it in the order they were said.
  const carol = await join(b, "carol");
  await eventually(() => a.memberCount() === 3 && b.memberCount() === 3);
  op.send("/op sesame");
  await op.until((l) => l.startsWith("* you"));
  op.send("/ban bob");
  expect(await op.until((l) => l.includes("banned"))).toBe("* bob was banned by teacher");
  await bob.closed;
  // Said after the ban: once carol reads it, bob's server has the ban too.
  op.send("after the ban");
  await carol.until((l) => l === "<teacher> after the ban");
  for (const server of [a, b]) {
    const again = await joinFrom(server.port, "", "127.0.0.2", false);
    expect(await again.next()).toBe("! you are banned from this room");
  }
  op.send("/unban bob");
  expect(await op.next()).toBe("* bob may join again");
  op.send("after the unban");
  await carol.until((l) => l === "<teacher> after the unban");
  const back = await joinFrom(b.port, "bob", "127.0.0.2");
  back.send("/quit");
});

test("the topic set on one server is everyone's, and a server that starts later knows it", async () => {
  const { a, b, room } = await pair();
  const op = await join(a, "teacher");
  const bob = await join(b, "bob");
  await eventually(() => a.memberCount() === 2 && b.memberCount() === 2);
  op.send("/op sesame");
  await op.until((l) => l.startsWith("* you"));
  op.send("/topic exam on friday");
  expect(await bob.until((l) => l.includes("topic"))).toBe(
    "* teacher set the topic: exam on friday",
  );
  const c = await serveShared(redis.url, room, { opPassword: "sesame" });
  const late = await arrive(c);
  late.send("carol");
  await late.next(); // welcome
  await late.next(); // limits
  expect(await late.next()).toBe("* topic: exam on friday");
});

test("history: a newcomer on any server reads what was said on every server", async () => {
  const { a, b, room } = await pair({ historyLines: 10 });
  const ana = await join(a, "ana");
  const bob = await join(b, "bob");
  await eventually(() => a.memberCount() === 2 && b.memberCount() === 2);
  ana.send("first, from a");
  await bob.until((l) => l === "<ana> first, from a");
  bob.send("second, from b");
  await ana.until((l) => l === "<bob> second, from b");
  const history = /^\[history \d\d:\d\d\] /;
  for (const server of [a, b]) {
    const carol = await arrive(server);
    carol.send(`carol${server.port}`);
    const lines = (await carol.quiet(300)).filter((l) => history.test(l));
    expect(lines.map((l) => l.replace(history, ""))).toEqual([
      "<ana> first, from a",
      "<bob> second, from b",
    ]);
  }
  // A server started later reads the room's history from the stream.
  const c = await serveShared(redis.url, room, { historyLines: 10 });
  const dave = await arrive(c);
  dave.send("dave");
  const lines = (await dave.quiet(300)).filter((l) => history.test(l));
  expect(lines.map((l) => l.replace(history, ""))).toEqual([
    "<ana> first, from a",
    "<bob> second, from b",
  ]);
});

test("--announce-max counts the whole room", async () => {
  const { a, b } = await pair({ announceMax: 2 });
  const ana = await join(a, "ana");
  await join(b, "bob");
  expect(await ana.next()).toBe("* bob joined");
  await eventually(() => a.memberCount() === 2 && b.memberCount() === 2);
  await join(b, "carol");
  // Three members: over the limit, so nobody is told.
  expect(await ana.quiet(300)).toEqual([]);
});

test("/mute and /quiet hold on the server that gave them; the whole room reads the notices", async () => {
  const { a, b } = await pair();
  const op = await join(a, "teacher");
  const bob = await join(a, "bob");
  const cy = await join(b, "cy");
  await eventually(() => a.memberCount() === 3 && b.memberCount() === 3);
  op.send("/op sesame");
  await op.until((l) => l.startsWith("* you"));
  op.send("/mute cy");
  expect(await op.until((l) => l.startsWith("!"))).toBe("! no such user: cy");
  op.send("/mute bob 5");
  expect(await cy.until((l) => l.includes("muted"))).toBe("* teacher muted bob for 5 min");
  bob.send("hi");
  expect(await bob.until((l) => l.startsWith("!"))).toBe(
    "! you are muted for 5 min more: you read but cannot speak",
  );
  op.send("/quiet");
  expect(await cy.until((l) => l.includes("quiet"))).toBe(
    "* teacher turned quiet mode on: only operators may speak",
  );
  // Per server: cy's own server has no quiet mode.
  cy.send("still here");
  expect(await op.until((l) => l.startsWith("<cy>"))).toBe("<cy> still here");
});
