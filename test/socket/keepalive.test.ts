/**
 * TCP keepalive on every connection, so that a peer that vanished without a
 * word is found out: read from the kernel's table of TCP sockets (Linux).
 * It is turned on in batches (transport/keepalive.ts), so the test waits for
 * one batch.
 */

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { KEEPALIVE_BATCH_MS } from "../../src/server/transport/keepalive.ts";
import { arrive, eventually, serve } from "../support/server.ts";

/** The timer the kernel runs on the server's side of the connection from `peerPort` ("2": keepalive). */
function timerOf(serverPort: number, peerPort: number): string | null {
  const hex = (port: number) => `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const [, local = "", remote = "", , , timer = ""] = line.trim().split(/\s+/);
    if (local.endsWith(hex(serverPort)) && remote.endsWith(hex(peerPort))) {
      return timer.split(":")[0] ?? null;
    }
  }
  return null;
}

describe.skipIf(process.platform !== "linux")("keepalive", () => {
  test("every connection has TCP keepalive (a vanished peer is found out)", async () => {
    const server = serve();
    const first = await arrive(server);
    const second = await arrive(server);
    // Not yet: the batch waits.
    expect(timerOf(server.port, first.socket.localPort)).not.toBe("02");
    await eventually(
      () => timerOf(server.port, second.socket.localPort) === "02",
      KEEPALIVE_BATCH_MS + 3_000,
    );
    expect(timerOf(server.port, first.socket.localPort)).toBe("02");
    expect(timerOf(server.port, second.socket.localPort)).toBe("02");
  }, 15_000);
});
