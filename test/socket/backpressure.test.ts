/**
 * Slow readers over real sockets, plain and TLS: queued in order, evicted
 * past the cap, never stalling others.
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
  test("a reader that stops reading is evicted as too slow; the others get every line", async () => {
    const server = serve({ ...transport, maxQueueBytes: 1024 * 1024 });
    const slow = await join(server, "slow", via);
    const a = await join(server, "a", via);
    const b = await join(server, "b");
    await a.until((l) => l === "* b joined");
    slow.pause();
    // ~16 MB in steps that `a` keeps up with: far more than kernel buffers plus the cap.
    const step = 200;
    let next = 0;
    let evictions = 0;
    for (let sent = 0; sent < 16_000; sent += step) {
      flood(b, step, sent);
      while (next < sent + step) {
        const line = await a.next(10_000);
        if (line === "* slow left (too slow)") evictions++;
        else expect(line).toBe(`<b> ${next++} ${LINE}`);
      }
    }
    if (evictions === 0) expect(await a.next()).toBe("* slow left (too slow)");
    else expect(evictions).toBe(1);
    await eventually(() => server.connectionCount() === 2);
    slow.resume();
    await slow.closed;
  });

  test("a reader that falls behind under the cap catches up with every line, in order", async () => {
    const server = serve({ ...transport, maxQueueBytes: 64 * 1024 * 1024 });
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
