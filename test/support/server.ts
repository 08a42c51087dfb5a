/**
 * Starts a real papo server on 127.0.0.1:0 for a test, and joins clients to
 * it; both are stopped after each test (stopAll).
 */

import { SERVER_DEFAULTS, type ServerConfig } from "../../src/config.ts";
import type { Log } from "../../src/server/log.ts";
import { openShared, openStore, type RunningServer, startServer } from "../../src/server/server.ts";
import { connect, type LineClient } from "./lineclient.ts";

const running = new Set<RunningServer>();
const clients = new Set<LineClient>();

/**
 * Reset every client and stop every server the test started. Run after each
 * test by test/support/preload.ts: Bun 1.4.5 never runs a hook registered at
 * the top of an imported module, only in a test file or a preload.
 */
export async function stopAll(): Promise<void> {
  for (const c of clients) if (!c.isClosed()) c.reset();
  clients.clear();
  await Promise.all([...running].map((s) => s.stop()));
  running.clear();
}

/**
 * A server with test-friendly defaults (no flood control, no history, no cap
 * per address: every test client comes from 127.0.0.1; fast shutdown),
 * stopped after each test.
 */
export function serve(overrides: Partial<ServerConfig> = {}, log?: Log): RunningServer {
  // With a dataDir the room is kept there, as `bun run server --data DIR` keeps it.
  const config = testConfig(overrides);
  const server = startServer(config, log, undefined, openStore(config));
  running.add(server);
  return server;
}

function testConfig(overrides: Partial<ServerConfig>): ServerConfig {
  return {
    ...SERVER_DEFAULTS,
    web: false,
    port: 0,
    rateLimit: 0,
    shutdownGraceMs: 500,
    historyLines: 0,
    maxPerAddress: 0,
    ...overrides,
  };
}

/**
 * A server of a room shared through the Redis at `redisUrl` (room `room`),
 * with the same test-friendly defaults, stopped after each test.
 */
export async function serveShared(
  redisUrl: string,
  room: string,
  overrides: Partial<ServerConfig> = {},
  log?: Log,
): Promise<RunningServer> {
  const config = { ...testConfig(overrides), redisUrl, roomName: room };
  const server = startServer(config, log, await openShared(config), openStore(config));
  running.add(server);
  return server;
}

/** Anything listening: a server started here or one in a child process; TLS when it says so. */
type Listening = {
  readonly port: number;
  readonly tls?: boolean;
  readonly web?: { readonly port: number } | null;
};

/** How a test member connects: a TCP socket, or the web client's WebSocket. */
export type Via = "tcp" | "websocket";

async function open(server: Listening, via: Via): Promise<LineClient> {
  const c =
    via === "tcp"
      ? await connect(server.port, "127.0.0.1", server.tls === true)
      : await connect(webPort(server), "127.0.0.1", server.tls === true, true);
  clients.add(c);
  return c;
}

async function greeted(c: LineClient): Promise<void> {
  const greeting = await c.next();
  if (!greeting.startsWith("* ")) throw new Error(`unexpected greeting: ${greeting}`);
}

/** Connect and read the greeting (which waits up to 50 ms for a first line that does not come). */
export async function arrive(server: Listening, via: Via = "tcp"): Promise<LineClient> {
  const c = await open(server, via);
  await greeted(c);
  return c;
}

/**
 * Connect, choose `name`, and read the greeting, the welcome and the limits
 * line after it. The name goes as the connection opens, as papo's clients
 * send it: the greeting does not wait for it.
 */
export async function join(server: Listening, name: string, via: Via = "tcp"): Promise<LineClient> {
  const c = await open(server, via);
  c.send(name);
  await greeted(c);
  const welcome = await c.next();
  if (!welcome.startsWith(`* hello ${name}!`)) throw new Error(`not welcomed: ${welcome}`);
  const limits = await c.next();
  if (!limits.startsWith("* limits: ")) throw new Error(`no limits line: ${limits}`);
  return c;
}

function webPort(server: Listening): number {
  if (!server.web) throw new Error("this server does not serve the web client (web: true)");
  return server.web.port;
}

/** Wait until `check` holds, polling; fails after `ms`. */
export async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(5);
  }
}
