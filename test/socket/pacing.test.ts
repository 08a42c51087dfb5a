/**
 * Sender pacing over real sockets: a sender faster than its readers is slowed
 * by TCP (the server stops reading it) instead of evicting readers who are
 * merely slower than loopback, while a reader that never reads is still
 * evicted and never freezes the room.
 */

import { expect, test } from "bun:test";
import { rssBytes } from "../../bench/proc.ts";
import { withServer } from "../support/cli.ts";
import { type LineClient, readSlowly } from "../support/lineclient.ts";
import { eventually, join } from "../support/server.ts";

const LINES = 60_000;
/** 156 bytes with the newline, as in the report that found the bug. */
const text = (i: number) => `${String(i).padStart(8, "0")} ${"p".repeat(146)}`;

test("a fast sender is paced to its readers: the reader keeping up gets every line, the stalled one is evicted", async () => {
  const args = ["--port", "0", "--rate-limit", "0", "--max-queue-bytes", "262144", "--quiet"];
  await withServer(args, async (server) => {
    const fast = await join(server, "fast");
    const slow = await join(server, "slow");
    const talker = await join(server, "talker");
    await fast.until((l) => l === "* talker joined");
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

    let next = 0;
    let evicted = 0;
    while (next < LINES) {
      const line = await fast.next(20_000);
      if (line === "* slow left (too slow)") evicted++;
      else expect(line).toBe(`<talker> ${text(next++)}`);
    }
    stop();
    clearInterval(watch);
    if (evicted === 0) expect(await fast.next()).toBe("* slow left (too slow)");
    else expect(evicted).toBe(1);
    expect(fast.isClosed()).toBe(false);
    expect(peakRss).toBeLessThan(200 * 1024 * 1024);
    slow.resume();
    await slow.closed;
  });
}, 60_000);

test("a reader that never reads does not freeze the room: it is evicted, the sender goes on", async () => {
  const args = ["--port", "0", "--rate-limit", "0", "--max-queue-bytes", "65536", "--quiet"];
  await withServer(args, async (server) => {
    const stalled = await join(server, "stalled");
    const talker = await join(server, "talker");
    await stalled.until((l) => l === "* talker joined");
    stalled.pause();
    // Far more than the kernel's buffers towards `stalled` plus its cap.
    talker.write(`${"s".repeat(500)}\n`.repeat(40_000));
    // The server reads all of it: the stalled reader paused the talker for a moment at most.
    await eventually(() => talker.unsent === 0, 15_000);
    stalled.resume();
    await stalled.closed;
    talker.send("/who");
    expect(await talker.until((l) => l.startsWith("* online"))).toBe("* online (1): talker");
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
