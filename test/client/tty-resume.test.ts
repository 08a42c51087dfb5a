/**
 * The interactive client coming back where it left (protocol version 2,
 * resume): cut from the server by a proxy while others talk, it shows every
 * line it missed once and nothing twice, gets the private line sent to it
 * meanwhile, and goes on; after a restart that lost the room's log it says
 * so (tmux, see tmux.ts; proxy.ts for the cut).
 */

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVER_DEFAULTS, type ServerConfig } from "../../src/config.ts";
import { openStore, type RunningServer, startServer } from "../../src/server/server.ts";
import { join as joinRoom } from "../support/server.ts";
import { CutProxy } from "./proxy.ts";
import { lastLine, SKIP_TMUX, Tmux } from "./tmux.ts";

const tmux = new Tmux();
const servers = new Set<RunningServer>();
const proxies = new Set<CutProxy>();

function room(more: Partial<ServerConfig> = {}): RunningServer {
  const config = {
    ...SERVER_DEFAULTS,
    web: false,
    port: 0,
    quiet: true,
    rateLimit: 0,
    historyLines: 0,
    ...more,
  };
  const server = startServer(config, undefined, undefined, openStore(config));
  servers.add(server);
  return server;
}

const count = (lines: string[], end: string) => lines.filter((l) => l.endsWith(end)).length;

describe.skipIf(SKIP_TMUX)("resuming after a cut (tmux)", () => {
  afterAll(async () => {
    tmux.kill();
    for (const proxy of proxies) proxy.stop();
    await Promise.all([...servers].map((s) => s.stop()));
  });

  test("cut for a few seconds: every missed line once, the private line too, nothing twice", async () => {
    const server = room();
    const proxy = new CutProxy(server.port);
    proxies.add(proxy);
    const bob = await joinRoom(server, "bob");
    tmux.start("cut", {
      args: ["--port", String(proxy.port), "--name", "ana", "--no-color"],
      rows: 40,
    });
    await tmux.waitForLast("cut", "ana>");
    await bob.until((l) => l === "* ana joined");
    bob.send("before the cut");
    await tmux.waitFor("cut", (l) => l.some((x) => x.endsWith("<bob> before the cut")));

    proxy.cut();
    await tmux.waitFor("cut", (l) => lastLine(l).startsWith("reconnecting in"));
    for (const n of [1, 2, 3]) bob.send(`missed ${n}`);
    bob.send("/msg ana psst, while you were away");
    expect(await bob.until((l) => l.startsWith("[private to"))).toBe(
      "[private to ana] psst, while you were away",
    );
    await Bun.sleep(1500);
    proxy.restore();

    const back = await tmux.waitFor(
      "cut",
      (l) => l.some((x) => x.endsWith("[private] <bob> psst, while you were away")),
      10_000,
    );
    await tmux.waitForLast("cut", "ana>");
    bob.send("after");
    const lines = await tmux.waitFor("cut", (l) => l.some((x) => x.endsWith("<bob> after")));
    for (const said of ["before the cut", "missed 1", "missed 2", "missed 3", "after"]) {
      expect(count(lines, `<bob> ${said}`)).toBe(1);
    }
    // In order, and the greeting and welcome were not shown again.
    const order = lines.filter((l) => l.includes("<bob> "));
    expect(order.map((l) => l.replace(/^.*<bob> /, ""))).toEqual([
      "before the cut",
      "missed 1",
      "missed 2",
      "missed 3",
      "psst, while you were away",
      "after",
    ]);
    expect(count(lines, "* welcome to papo! this room speaks English. what is your name?")).toBe(1);
    expect(lines.filter((l) => l.includes("* hello ana!"))).toHaveLength(1);
    expect(back.join("\n")).toContain("* welcome back, ana");
    tmux.type("cut", "back again");
    tmux.keys("cut", "Enter");
    // The others never saw ana leave or join again.
    const heard = await bob.until((l) => l.startsWith("<ana>"));
    expect(heard).toBe("<ana> back again");
    tmux.keys("cut", "C-c");
    expect(await tmux.exited("cut")).toBe(0);
    expect(await bob.until((l) => l.startsWith("* ana left"))).toBe("* ana left");
  }, 30_000);

  test("cut twice in a row: still nothing twice", async () => {
    const server = room();
    const proxy = new CutProxy(server.port);
    proxies.add(proxy);
    const bob = await joinRoom(server, "bob");
    tmux.start("twice", {
      args: ["--port", String(proxy.port), "--name", "ana", "--no-color"],
      rows: 40,
    });
    await tmux.waitForLast("twice", "ana>");
    for (const round of [1, 2]) {
      bob.send(`seen ${round}`);
      await tmux.waitFor("twice", (l) => l.some((x) => x.endsWith(`<bob> seen ${round}`)));
      proxy.cut();
      bob.send(`away ${round}`);
      await Bun.sleep(300);
      proxy.restore();
      await tmux.waitFor("twice", (l) => l.some((x) => x.endsWith(`<bob> away ${round}`)), 10_000);
    }
    bob.send("end");
    const lines = await tmux.waitFor("twice", (l) => l.some((x) => x.endsWith("<bob> end")));
    for (const said of ["seen 1", "away 1", "seen 2", "away 2", "end"]) {
      expect(count(lines, `<bob> ${said}`)).toBe(1);
    }
    tmux.keys("twice", "C-c");
    expect(await tmux.exited("twice")).toBe(0);
  }, 30_000);

  test("a restart that lost the room's log: the client rejoins and says lines are lost", async () => {
    const first = room();
    const port = first.port;
    tmux.start("restart", {
      args: ["--port", String(port), "--name", "ana", "--no-color"],
      rows: 40,
    });
    await tmux.waitForLast("restart", "ana>");
    await first.stop();
    await tmux.waitFor("restart", (l) => lastLine(l).startsWith("reconnecting in"));
    const second = room({ port });
    const lines = await tmux.waitFor(
      "restart",
      (l) => l.some((x) => x === "The server restarted: lines said while you were away are lost."),
      10_000,
    );
    await tmux.waitForLast("restart", "ana>");
    expect(lines.filter((l) => l.includes("* hello ana!"))).toHaveLength(2);
    const bob = await joinRoom(second, "bob");
    bob.send("new log");
    await tmux.waitFor("restart", (l) => l.some((x) => x.endsWith("<bob> new log")));
    tmux.keys("restart", "C-c");
    expect(await tmux.exited("restart")).toBe(0);
  }, 30_000);

  test("a restart of a room kept on disk: the client resumes, each line it missed once, no gap", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "papo-tty-store-"));
    const first = room({ dataDir });
    const port = first.port;
    const proxy = new CutProxy(port);
    proxies.add(proxy);
    const bob = await joinRoom(first, "bob");
    tmux.start("kept", {
      args: ["--port", String(proxy.port), "--name", "ana", "--no-color"],
      rows: 40,
    });
    await tmux.waitForLast("kept", "ana>");
    bob.send("before");
    await tmux.waitFor("kept", (l) => l.some((x) => x.endsWith("<bob> before")));
    proxy.cut();
    await tmux.waitFor("kept", (l) => lastLine(l).startsWith("reconnecting in"));
    for (const n of [1, 2, 3]) bob.send(`missed ${n}`);
    await bob.quiet(100);
    await first.stop();
    const second = room({ dataDir, port });
    proxy.restore();
    const lines = await tmux.waitFor(
      "kept",
      (l) => l.some((x) => x.endsWith("<bob> missed 3")),
      15_000,
    );
    for (const n of [1, 2, 3]) expect(count(lines, `<bob> missed ${n}`)).toBe(1);
    expect(count(lines, "<bob> before")).toBe(1);
    // No gap: nothing said of a restart or of missed lines.
    expect(lines.some((l) => /restarted|you missed|missing/.test(l))).toBe(false);
    const carol = await joinRoom(second, "carol");
    carol.send("after");
    await tmux.waitFor("kept", (l) => l.some((x) => x.endsWith("<carol> after")));
    tmux.keys("kept", "C-c");
    expect(await tmux.exited("kept")).toBe(0);
  }, 40_000);
});
