/**
 * Browser members in a room over two servers: a real page (headless
 * Chromium) on one server's web client and a terminal member on the other.
 */

import { afterAll, afterEach, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { enter, Pages, say, seen } from "../support/page.ts";
import { type RedisServer, startRedis } from "../support/redis.ts";
import { arrive, eventually, join, serveShared } from "../support/server.ts";

setDefaultTimeout(20_000);
let redis: RedisServer;
const pages = new Pages();
let rooms = 0;
const fresh = () => `web${++rooms}-${process.pid}`;

beforeAll(async () => {
  redis = await startRedis();
  await pages.launch();
});
afterAll(async () => {
  await pages.close();
  await redis.stop();
});
afterEach(() => pages.closeContexts());

test("a page on one server and a terminal on another: chat, private lines, a kick, history", async () => {
  const room = fresh();
  const options = { web: true, webPort: 0, opPassword: "sesame", historyLines: 10 };
  const a = await serveShared(redis.url, room, options);
  const b = await serveShared(redis.url, room, options);
  const ana = await join(b, "ana");
  const { page, errors } = await pages.open(a);
  await enter(page, "bia");
  expect(await ana.until((l) => l.endsWith("joined"))).toBe("* bia joined");
  await eventually(() => a.memberCount() === 2 && b.memberCount() === 2);

  ana.send("hi bia, from the other server");
  await seen(page, "<ana> hi bia, from the other server");
  await say(page, "hello ana, across");
  expect(await ana.until((l) => l.startsWith("<"))).toBe("<bia> hello ana, across");
  await say(page, "/msg ana psst");
  expect(await ana.until((l) => l.startsWith("[private]"))).toBe("[private] <bia> psst");
  ana.send("/msg bia back at you");
  await seen(page, "[private] <ana> back at you");
  await say(page, "/who");
  await seen(page, "* online (2): bia, ana");

  // A newcomer on the other server reads the browser's line in its history.
  const carol = await arrive(b);
  carol.send("carol");
  // The answer to /who comes after the welcome and its history.
  carol.send("/who");
  const welcome: string[] = [];
  while (!welcome.at(-1)?.startsWith("* online")) welcome.push(await carol.next());
  const history = welcome.filter((l) => l.startsWith("[history "));
  expect(history.map((l) => l.replace(/^\[history \d\d:\d\d\] /, ""))).toEqual([
    "<ana> hi bia, from the other server",
    "<bia> hello ana, across",
  ]);

  // An operator on the terminal's server removes the browser member.
  ana.send("/op sesame");
  await ana.until((l) => l === "* you are now an operator");
  ana.send("/kick bia enough");
  await seen(page, "* bia was kicked by ana (enough)");
  expect(await ana.until((l) => l.includes("kicked"))).toBe("* bia was kicked by ana (enough)");
  await page.waitForFunction(
    () => document.getElementById("status")?.textContent === "Disconnected.",
  );
  // Past the page's first reconnect wait: it stays out, on its own server too.
  // A reconnect that does not happen has no event to wait for: the wait is the test.
  await Bun.sleep(1500);
  expect(a.connectionCount()).toBe(0);
  expect(b.memberCount()).toBe(2);
  expect(errors).toEqual([]);
});
