/**
 * The web page coming back where it left (protocol version 2, resume), in
 * headless Chromium: cut from the server by a proxy while others talk, it
 * shows every line it missed once and nothing twice, gets the private line
 * sent to it meanwhile, keeps its member list, and goes on; after a restart
 * that lost the room's log it says lines are lost.
 */

import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  setDefaultTimeout,
  test,
} from "bun:test";
import { SERVER_DEFAULTS } from "../../src/config.ts";
import { startServer } from "../../src/server/server.ts";
import { CutProxy } from "../client/proxy.ts";
import { enter, logLines, Pages, say, seen } from "../support/page.ts";
import { eventually, join, serve } from "../support/server.ts";

setDefaultTimeout(30_000);

const pages = new Pages();
const proxies = new Set<CutProxy>();

beforeAll(() => pages.launch());
afterAll(() => pages.close());
afterEach(async () => {
  for (const proxy of proxies) proxy.stop();
  proxies.clear();
  await pages.closeContexts();
});

const count = (lines: string[], line: string) => lines.filter((l) => l === line).length;

describe("the page after a cut", () => {
  test("every missed line once, the private line too, nothing twice; then it goes on", async () => {
    const server = serve({ web: true, webPort: 0 });
    const proxy = new CutProxy(server.web?.port ?? 0);
    proxies.add(proxy);
    const bob = await join(server, "bob");
    const { page, errors } = await pages.open({ web: { url: `http://127.0.0.1:${proxy.port}/` } });
    await enter(page, "bia");
    await bob.until((l) => l === "* bia joined");
    bob.send("before the cut");
    await seen(page, "<bob> before the cut");

    proxy.cut();
    await page.waitForFunction(() => document.getElementById("status")?.classList.contains("lost"));
    for (const n of [1, 2, 3]) bob.send(`missed ${n}`);
    bob.send("/msg bia psst, while you were away");
    await bob.until((l) => l.startsWith("[private to"));
    await Bun.sleep(1500);
    proxy.restore();

    await seen(page, "[private] <bob> psst, while you were away", 15_000);
    bob.send("after");
    await seen(page, "<bob> after");
    const lines = await logLines(page);
    const said = lines.filter((l) => l.startsWith("<bob> ") || l.startsWith("[private] "));
    expect(said).toEqual([
      "<bob> before the cut",
      "<bob> missed 1",
      "<bob> missed 2",
      "<bob> missed 3",
      "[private] <bob> psst, while you were away",
      "<bob> after",
    ]);
    expect(count(lines, "* welcome back, bia")).toBe(1);
    expect(lines.filter((l) => l.startsWith("* hello bia!"))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("* welcome to papo!"))).toHaveLength(1);
    // Still in, as before: the member list, and a line typed now reaches the room.
    expect(await page.$$eval("#member-list li", (l) => l.map((x) => x.textContent))).toEqual([
      "bia",
      "bob",
    ]);
    expect(await page.isVisible("#door")).toBe(false);
    await say(page, "back again");
    expect(await bob.until((l) => l.startsWith("<bia>"))).toBe("<bia> back again");
    // The browser's own word for the tries the cut refused is no page error.
    expect(errors.filter((e) => !e.includes("ERR_CONNECTION_REFUSED"))).toEqual([]);
  });

  test("after a restart that lost the room's log, the page rejoins and says lines are lost", async () => {
    const config = {
      ...SERVER_DEFAULTS,
      port: 0,
      web: true,
      webPort: 0,
      quiet: true,
      historyLines: 0,
      shutdownGraceMs: 200,
    };
    const first = startServer(config);
    const webPort = first.web?.port ?? 0;
    const { page } = await pages.open(first);
    await enter(page, "bia");
    await first.stop();
    await page.waitForFunction(() => document.getElementById("status")?.classList.contains("lost"));
    const second = startServer({ ...config, webPort });
    try {
      await seen(page, "* the server restarted: lines said while you were away are lost", 15_000);
      await eventually(() => second.connectionCount() === 1, 5000);
      expect(await page.isVisible("#door")).toBe(false);
    } finally {
      await second.stop();
    }
  });
});
