/**
 * Slow readers over real sockets, plain, TLS and WebSocket: a reader behind
 * holds a position in the room's log, catches up in order, is told how many
 * lines it missed past the window, and never stalls the others.
 */

import { describe, expect, test } from "bun:test";
import type { ServerConfig } from "../../src/config.ts";
import { makeCert } from "../support/cert.ts";
import { eventually, join, serve, type Via } from "../support/server.ts";

const LINE = "x".repeat(990);

/** Send `count` numbered lines of about 1 KB from `sender`. */
function flood(sender: { write(s: string): void }, count: number, from = 0): void {
  const batch: string[] = [];
  for (let i = from; i < from + count; i++) {
    batch.push(`${i} ${LINE}\n`);
    if (batch.length === 256) sender.write(batch.splice(0).join(""));
  }
  if (batch.length) sender.write(batch.join(""));
}

const cert = makeCert();
/** Each transport's readers; the sender is always a TCP member, one frame limit fewer to mind. */
const transports: Array<[string, Partial<ServerConfig>, Via]> = [
  ["plain TCP", {}, "tcp"],
  // Over TLS a write takes a whole record or nothing: the same outbox copes.
  ["TLS", { tlsCert: cert.certPath, tlsKey: cert.keyPath }, "tcp"],
  // A browser that stops reading: Bun's WebSocket buffer fills, papo's queue takes over.
  ["WebSocket", { web: true, webPort: 0 }, "websocket"],
  [
    "WebSocket over TLS",
    { web: true, webPort: 0, tlsCert: cert.certPath, tlsKey: cert.keyPath },
    "websocket",
  ],
];

describe.each(transports)("%s", (_, transport, via) => {
  test("a reader that stops reading stays: the others get every line; it is told what it missed past the window", async () => {
    const server = serve({ ...transport, windowBytes: 2 * 1024 * 1024 });
    const slow = await join(server, "slow", via);
    const a = await join(server, "a", via);
    const b = await join(server, "b");
    await a.until((l) => l === "* b joined");
    await slow.until((l) => l === "* b joined");
    slow.pause();
    // ~16 MB in steps that `a` keeps up with: far more than kernel buffers plus the window.
    const step = 200;
    const total = 16_000;
    let next = 0;
    for (let sent = 0; sent < total; sent += step) {
      flood(b, step, sent);
      while (next < sent + step) expect(await a.next(10_000)).toBe(`<b> ${next++} ${LINE}`);
    }
    expect(server.connectionCount()).toBe(3);
    slow.resume();
    // What it reads: lines in order, one notice of how many it missed, the newest lines in order.
    let expected = 0;
    let missed = 0;
    while (expected < total) {
      const line = await slow.next(10_000);
      const m = /^\* you missed (\d+) lines$/.exec(line);
      if (m !== null) {
        missed++;
        expected += Number(m[1]);
        continue;
      }
      expect(line).toBe(`<b> ${expected++} ${LINE}`);
    }
    expect(missed).toBe(1);
    expect(server.connectionCount()).toBe(3);
  });

  test("a reader that falls behind within the window catches up with every line, in order", async () => {
    const server = serve({ ...transport });
    const lagging = await join(server, "lagging", via);
    const b = await join(server, "b");
    await lagging.until((l) => l === "* b joined");
    lagging.pause();
    const count = 8_000;
    flood(b, count);
    await eventually(() => b.unsent === 0, 10_000);
    // The answer to /who comes once the server has handled (and queued) every line before it.
    b.send("/who");
    await b.until((l) => l.startsWith("* online"), 10_000);
    lagging.resume();
    for (let i = 0; i < count; i++) expect(await lagging.next(10_000)).toBe(`<b> ${i} ${LINE}`);
  });
});
