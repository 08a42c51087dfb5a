/**
 * Nobody waits for anybody, over real sockets: a sender faster than a reader
 * is never held back for it, the reader keeps its place in the room's log
 * (memory bounded by the window), and a reader that reads nothing at all
 * while behind is closed after --behind-timeout with a reason.
 */

import { expect, test } from "bun:test";
import { rssBytes } from "../../bench/proc.ts";
import { withServer } from "../support/cli.ts";
import type { LineClient } from "../support/lineclient.ts";
import { readSlowly } from "../support/lineclient.ts";
import { eventually, join } from "../support/server.ts";

const LINES = 60_000;
/** 156 bytes with the newline, as in the report that found the bug. */
const text = (i: number) => `${String(i).padStart(8, "0")} ${"p".repeat(146)}`;

test("a fast sender is not held back for a stalled reader: the reader keeping up gets every line, the stalled one stays", async () => {
  // The default window (64 MiB) holds the whole flood (9.4 MB): a reader slower than the
  // sender, as both readers here are, loses nothing. Past the window: backpressure.test.ts.
  const args = ["--port", "0", "--rate-limit", "0", "--quiet"];
  await withServer(args, async (server) => {
    const fast = await join(server, "fast");
    const slow = await join(server, "slow");
    const talker = await join(server, "talker");
    await fast.until((l) => l === "* talker joined");
    await slow.until((l) => l === "* talker joined");
    slow.pause();
    const stop = readSlowly(fast, 4);

    let peakRss = 0;
    const watch = setInterval(() => {
      peakRss = Math.max(peakRss, rssBytes(server.proc.pid));
    }, 20);
    const batch: string[] = [];
    for (let i = 0; i < LINES; i++) {
      batch.push(`${text(i)}\n`);
      if (batch.length === 1000) talker.write(batch.splice(0).join(""));
    }
    for (let next = 0; next < LINES; next++) {
      expect(await fast.next(20_000)).toBe(`<talker> ${text(next)}`);
    }
    stop();
    clearInterval(watch);
    expect(fast.isClosed()).toBe(false);
    expect(slow.isClosed()).toBe(false);
    expect(peakRss).toBeLessThan(200 * 1024 * 1024);
    slow.resume();
    // It reads on from its position: every line, in order.
    for (let next = 0; next < LINES; next++) {
      expect(await slow.next(20_000)).toBe(`<talker> ${text(next)}`);
    }
  });
}, 60_000);

test("a reader that never reads does not freeze the room: the sender goes on; after --behind-timeout it is closed with a reason", async () => {
  const args = ["--port", "0", "--rate-limit", "0", "--behind-timeout", "1", "--quiet"];
  await withServer(args, async (server) => {
    const stalled: LineClient = await join(server, "stalled");
    const talker = await join(server, "talker");
    await stalled.until((l) => l === "* talker joined");
    stalled.pause();
    // Far more than the kernel's buffers towards `stalled`.
    talker.write(`${"s".repeat(500)}\n`.repeat(40_000));
    // The server reads all of it: nobody waits for the stalled reader.
    await eventually(() => talker.unsent === 0, 15_000);
    // Read-timeout checks run every few seconds.
    expect(await talker.until((l) => l.startsWith("* stalled left"), 15_000)).toBe(
      "* stalled left (not reading)",
    );
    talker.send("/who");
    expect(await talker.until((l) => l.startsWith("* online"))).toBe("* online (1): talker");
    stalled.resume();
    await stalled.closed;
  });
}, 30_000);

test("many senders filling every turn all get their turn, and a /who still gets through", async () => {
  // A small cap makes a small turn (a quarter of it): ten floods fill every turn many times over.
  // In its own process: a server that spun on its own turns would otherwise stall this runner too.
  const args = ["--port", "0", "--rate-limit", "0", "--max-queue-bytes", "262144", "--quiet"];
  await withServer(args, async (server) => {
    const reader = await join(server, "reader");
    const senders: LineClient[] = [];
    for (let i = 0; i < 10; i++) senders.push(await join(server, `s${i}`));
    await reader.until((l) => l === "* s9 joined");
    const count = 3000;
    const flood = Array.from({ length: count }, (_, n) => `${n} ${"w".repeat(60)}\n`).join("");
    for (const sender of senders) sender.write(flood);
    const next = new Array<number>(senders.length).fill(0);
    for (let got = 0; got < count * senders.length; got++) {
      const line = await reader.next(10_000);
      const m = /^<s(\d)> (\d+) /.exec(line);
      expect(m).not.toBeNull();
      const who = Number(m?.[1]);
      // In order per sender.
      expect(Number(m?.[2])).toBe(next[who] as number);
      next[who] = (next[who] ?? 0) + 1;
    }
    reader.send("/who");
    expect(await reader.next(5000)).toStartWith("* online (11): ");
  });
}, 30_000);
