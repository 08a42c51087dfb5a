/**
 * Behind a reverse proxy (--trust-proxy): a WebSocket member forwarded by a
 * trusted proxy is its X-Forwarded-For address for bans, caps and the log;
 * from any other peer the header is ignored. The proxy here is the test
 * itself, on 127.0.0.1, adding the header to the upgrade as nginx would.
 */

import { afterEach, expect, test } from "bun:test";
import type { ServerConfig } from "../../src/config.ts";
import { consoleLog } from "../../src/server/log.ts";
import type { RunningServer } from "../../src/server/server.ts";
import { connect, type LineClient } from "../support/lineclient.ts";
import { eventually, join, serve } from "../support/server.ts";

const opened: LineClient[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) if (!c.isClosed()) c.reset();
});

/** A server of the web client whose operator log is kept in `lines`. */
function serveLogged(overrides: Partial<ServerConfig>, lines: string[]): RunningServer {
  const log = consoleLog(false, (line) => lines.push(line));
  return serve({ web: true, webPort: 0, opPassword: "pw", ...overrides }, log);
}

/** A WebSocket from 127.0.0.1 whose upgrade carries `headers`; its first line read. */
async function viaProxy(
  server: RunningServer,
  headers: readonly string[],
): Promise<{ c: LineClient; first: string }> {
  const c = await connect(server.web?.port ?? 0, "127.0.0.1", false, true, headers);
  opened.push(c);
  return { c, first: await c.next() };
}

const forwarded = (address: string) => [`X-Forwarded-For: ${address}`];

/** `prof` as an operator bans the member `name`, who is then gone. */
async function ban(server: RunningServer, member: LineClient, name: string): Promise<void> {
  member.send(name);
  await member.until((l) => l.startsWith(`* hello ${name}!`));
  const prof = await join(server, "prof");
  prof.send("/op pw");
  await prof.until((l) => l === "* you are now an operator");
  prof.send(`/ban ${name}`);
  await member.closed;
}

test("from a trusted proxy, a ban hits the forwarded address, not everyone behind the proxy", async () => {
  const lines: string[] = [];
  const server = serveLogged({ trustProxy: "127.0.0.1" }, lines);
  const mal = await viaProxy(server, forwarded("203.0.113.7"));
  expect(mal.first).toStartWith("* ");
  await ban(server, mal.c, "mal");
  // The address the proxy added is the rightmost; what the client wrote left of it is its own word.
  const again = await viaProxy(server, forwarded("198.51.100.1, 203.0.113.7"));
  expect(again.first).toBe("! you are banned from this room");
  const other = await viaProxy(server, forwarded("198.51.100.8"));
  expect(other.first).toStartWith("* ");
  await eventually(() => lines.some((l) => l.endsWith(" 198.51.100.8 connected (ws)")));
  const log = lines.map((l) => l.replace(/^\S+ \S+ /, ""));
  // The proxy's own port says nothing of the client: the address goes without one.
  expect(log).toContain("203.0.113.7 connected (ws)");
  expect(log).toContain("203.0.113.7 mal joined");
  expect(log.some((l) => l.endsWith(" prof banned mal (203.0.113.7)"))).toBe(true);
  expect(log).toContain("203.0.113.7 refused (ws, banned)");
});

test("from a peer that is not a trusted proxy, X-Forwarded-For is ignored", async () => {
  const lines: string[] = [];
  // 127.0.0.1, where the test connects from, is not 127.0.0.2.
  const server = serveLogged({ trustProxy: "127.0.0.2", maxPerAddress: 1 }, lines);
  const mal = await viaProxy(server, forwarded("203.0.113.7"));
  expect(mal.first).toStartWith("* ");
  // At the door, two forwarded addresses are still the one peer: the cap is reached.
  const other = await viaProxy(server, forwarded("198.51.100.8"));
  expect(other.first).toBe("! too many connections from your address");
  mal.c.send("mal");
  await mal.c.until((l) => l.startsWith("* hello mal!"));
  // And an operator on 127.0.0.1 shares mal's address, so cannot ban it.
  const prof = await join(server, "prof");
  prof.send("/op pw");
  await prof.until((l) => l === "* you are now an operator");
  prof.send("/ban mal");
  expect(await prof.next()).toContain("your own address");
  expect(lines.some((l) => /127\.0\.0\.1:\d+ connected \(ws\)$/.test(l))).toBe(true);
  expect(lines.some((l) => l.includes("203.0.113.7"))).toBe(false);
});

test("the per-address cap counts forwarded addresses, one by one", async () => {
  const server = serveLogged({ trustProxy: "127.0.0.0/8", maxPerAddress: 1 }, []);
  expect((await viaProxy(server, forwarded("203.0.113.7"))).first).toStartWith("* ");
  expect((await viaProxy(server, forwarded("203.0.113.8"))).first).toStartWith("* ");
  expect((await viaProxy(server, forwarded("203.0.113.7"))).first).toBe(
    "! too many connections from your address",
  );
});

test("behind an HTTPS proxy the page's https origin is its own, when the proxy is trusted", async () => {
  for (const [trustProxy, status] of [
    ["127.0.0.1", 400],
    ["", 403],
  ] as const) {
    const server = serveLogged({ trustProxy }, []);
    const port = server.web?.port ?? 0;
    // Not an upgrade: past the Origin check (400 "a WebSocket upgrade was expected"), or not (403).
    const response = await fetch(`http://127.0.0.1:${port}/ws`, {
      headers: {
        origin: `https://127.0.0.1:${port}`,
        "x-forwarded-proto": "https",
        "x-forwarded-for": "203.0.113.7",
      },
    });
    expect(response.status).toBe(status);
    await response.arrayBuffer();
  }
});
