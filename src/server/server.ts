/**
 * The composition root: builds the room, the admission gate and the shared
 * context, joins a shared room's cluster, starts the transports (TCP/TLS in
 * transport/tcp.ts, the web client in transport/http.ts) on the same room,
 * and shuts everything down gracefully.
 */

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { TCPSocketListener } from "bun";
import type { ServerConfig } from "../config.ts";
import { hostPort } from "../net/address.ts";
import { isNotice, SERVER_TEXT, say } from "../protocol/messages.ts";
import { checkName } from "../protocol/names.ts";
import { Gate } from "./admission/addresses.ts";
import type { Link, Snapshot } from "./cluster/carrier.ts";
import { CLUSTER } from "./cluster/carrier.ts";
import { Cluster } from "./cluster/cluster.ts";
import { LinkError, RedisLink } from "./cluster/redis.ts";
import { noteError } from "./guard.ts";
import { type Log, silentLog } from "./log.ts";
import { workerGather } from "./metrics/gather.ts";
import { Meter } from "./metrics/meter.ts";
import { Metrics } from "./metrics/registry.ts";
import { Ops, type OpsServer, startOps } from "./metrics/routes.ts";
import type { Line } from "./room/dialects.ts";
import { Room } from "./room/room.ts";
import type { Client } from "./session/client.ts";
import { type Context, Tickets, Waiting, words } from "./session/context.ts";
import { Door } from "./session/door.ts";
import * as input from "./session/input.ts";
import * as session from "./session/lifecycle.ts";
import { nameRanOut } from "./session/name-clock.ts";
import { closeGracefully, fail, tell } from "./session/output.ts";
import { missedLine } from "./session/v2.ts";
import type { StoredLine } from "./store/rows.ts";
import { RoomStore, StoreError } from "./store/sqlite.ts";
import { startWeb, type WebServer } from "./transport/http.ts";
import { listenTcp } from "./transport/tcp.ts";

/** How often shutdown checks whether every connection has closed (ms). */
export const SHUTDOWN_POLL_MS = 10;

/** After the grace period, how long shutdown waits for cut connections to report closed (ms). */
export const SHUTDOWN_CLOSE_MS = 500;

/** File descriptors kept free for the listener, stdio and the runtime itself. */
export const FD_RESERVE = 32;

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** The listener speaks TLS (and the web client HTTPS). */
  readonly tls: boolean;
  /** The web client's port and page address; null with --no-web. */
  readonly web: { readonly port: number; readonly url: string } | null;
  /** The port of /healthz, /readyz and /metrics alone (--metrics-port); null without. */
  readonly metricsPort: number | null;
  /** Connections accepted (cap after the file-descriptor limit). */
  readonly maxClients: number;
  /** Open connections, named or not. */
  connectionCount(): number;
  /** Members of the room, on every server it spans. */
  memberCount(): number;
  /** Say goodbye to everyone, flush for at most the grace period, close. */
  stop(): Promise<void>;
  /** The room's store on disk; null when it keeps nothing. */
  readonly store: RoomStore | null;
}

/** Why the server could not start, as one sentence for the operator. */
export class StartError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "StartError";
  }
}

/** A room shared with other servers: the carrier, and what the room already had. */
export interface Shared {
  link: Link;
  snapshot: Snapshot;
}

/**
 * Start listening; throws StartError when the address cannot be bound.
 * With `shared`, the room is one of several servers' (see openShared).
 */
export function startServer(
  config: ServerConfig,
  log: Log = silentLog,
  shared?: Shared,
  store?: RoomStore,
): RunningServer {
  const reserve = FD_RESERVE + (shared === undefined ? 0 : CLUSTER.connections);
  const allowed = fdLimit() - reserve;
  if (allowed < 1) {
    throw new StartError(
      "EMFILE",
      `the open-file limit leaves no room for clients (raise it with ulimit -n to more than ${reserve})`,
    );
  }
  const maxClients = Math.min(config.maxClients, allowed);
  if (maxClients < config.maxClients) {
    log.info(`max clients lowered to ${maxClients} by the open-file limit`);
  }
  const ctx = buildContext(config, log, maxClients);
  const { room } = ctx;
  const tls = readTls(config);
  let cluster: Cluster | null = null;
  if (shared !== undefined) {
    cluster = new Cluster(ctx, shared.link, entryBytesOf(config));
    cluster.restore(shared.snapshot);
    room.linkPeers(cluster, config.lang);
  }

  if (store !== undefined) restoreRoom(ctx, store);
  for (const name of config.opNames.split(",")) {
    const check = checkName(name.trim());
    if (check.ok) room.reserve(check.name);
  }

  let listener: TCPSocketListener<Client>;
  try {
    listener = listenTcp(ctx, tls);
  } catch (error) {
    void cluster?.leave();
    store?.close();
    throw tls !== null && !isBindError(error) ? tlsError(config, error) : bindError(config, error);
  }
  const metrics = new Metrics({
    meter: ctx.meter,
    room,
    tls: tls !== null,
    cluster,
    store: store ?? null,
  });
  // A worker's scrape is every worker's (metrics/gather.ts), never its own alone.
  const gather = config.reusePort ? workerGather(metrics) : null;
  const ops = new Ops(metrics, room, cluster, config.metricsToken, gather);
  let web: WebServer | null = null;
  let opsServer: OpsServer | null = null;
  try {
    if (config.web) web = startWeb(ctx, tls, store ?? null, ops);
    if (config.metricsPort > 0) {
      opsServer = startOps(ops, config.host, config.metricsPort, config.reusePort, config.webHosts);
    }
  } catch (error) {
    listener.stop(true);
    web?.stop(true);
    void cluster?.leave();
    store?.close();
    const port = web === null && config.web ? config.webPort : config.metricsPort;
    throw bindError({ ...config, port }, error);
  }
  // Only once both listen: a server that cannot start never joins the room.
  if (cluster !== null) shared?.link.start(cluster);
  ops.state = "serving";

  let stopping: Promise<void> | null = null;
  return {
    host: config.host,
    port: listener.port,
    tls: tls !== null,
    web: web === null ? null : { port: web.port, url: web.url },
    metricsPort: opsServer?.port ?? null,
    maxClients,
    connectionCount: () => room.connectionCount,
    memberCount: () => room.memberCount,
    stop: () => {
      // Members leave as the server stops, but their resume tokens stay kept: they come back after it.
      store?.keepTokens();
      ops.state = "stopping";
      // Stopped once the store is closed (its lock let go): a server started next may keep the room.
      stopping ??= shutdown(ctx, listener, cluster, web).finally(() => {
        opsServer?.stop(true);
        return store?.close();
      });
      return stopping;
    },
    store: store ?? null,
  };
}

/**
 * The room as its store kept it: topic, bans, and its newest lines, which
 * go into the log with their positions (resume across a restart) and make
 * the newcomers' history; from now on every turn is recorded before it is
 * written. Trouble writing is logged and told to the operators present, once.
 */
function restoreRoom(ctx: Context, store: RoomStore): void {
  const { room, gate, config, log } = ctx;
  // In a room over several servers Redis has the room's lines, topic and bans (its stream's
  // positions, not this server's): the store only keeps a record of them here.
  const kept = store.load(room.shared ? 0 : config.keepLines);
  if (room.shared) {
    kept.turns.length = 0;
    kept.bans.length = 0;
  }
  if (!room.shared) room.topic = kept.topic;
  for (const [host, name] of kept.bans) gate.ban(host, name);
  const earlier = kept.turns.map((t) => ({
    epoch: t.epoch,
    first: t.first,
    lines: t.lines.map((l) => ({ line: lineOf(l), at: l.at })),
  }));
  for (const name of kept.reserved) room.reserve(name);
  if (kept.moderation !== null) room.moderation.restore(kept.moderation);
  room.keep(store, config.lang, earlier);
  const operators = () => room.localMembers().filter((m) => m.operator && m.phase === "joined");
  store.start({
    failing: (why) => {
      log.info(`store: writing ${store.path} fails (${why}); relaying without keeping, retrying`);
      for (const m of operators()) tell(ctx, m, words(m).storeFailing(why));
    },
    recovered: (lost) => {
      log.info(`store: writing ${store.path} works again (${lost} turns were not kept)`);
      for (const m of operators()) tell(ctx, m, words(m).storeRecovered(lost));
    },
  });
}

/** A stored line as the room's line again. */
function lineOf(l: StoredLine): Line {
  if (l.kind !== "notice") return { kind: l.kind, from: l.from, text: l.text };
  return l.notice !== undefined && isNotice(l.notice) ? l.notice : l.text;
}

/**
 * The room's store per config.dataDir ("" keeps nothing), opened before the
 * server listens so that a problem is one sentence at startup.
 */
export function openStore(config: ServerConfig): RoomStore | undefined {
  if (config.dataDir === "") return undefined;
  try {
    return RoomStore.open(config.dataDir, config.roomName, {
      keepLines: config.keepLines,
      keepDays: config.keepDays,
    });
  } catch (error) {
    if (error instanceof StoreError) throw new StartError("ESTORE", error.message);
    throw error;
  }
}

/**
 * Bytes a turn gathers before further input waits for the next: about
 * --max-queue-bytes. A turn's bytes go into the log, never into a member's
 * queue, so the queue's cap does not have to hold several turns; and the
 * larger the turn, the fewer writes per delivery (a quarter of it cost about
 * 13% more server CPU per delivery in the crowd).
 */
function turnBytesOf(config: ServerConfig): number {
  return Math.max(1, Math.floor(config.maxQueueBytes));
}

/**
 * In a room over several servers, this share of --max-queue-bytes bounds one
 * stream entry (this server's lines of a turn), so that CLUSTER.readCount
 * entries bound one read from Redis (carrier.ts); input waits for the next
 * turn past it too.
 */
const ENTRY_FRACTION = 1 / 4;

function entryBytesOf(config: ServerConfig): number {
  return Math.max(1, Math.floor(config.maxQueueBytes * ENTRY_FRACTION));
}

/**
 * What every session shares, wired: the room (its hooks into the session's
 * eviction, failures and pacing), the admission gate, the turn queue, and
 * the line handler. Transports and the cluster are added by startServer;
 * tests build the same context around fake connections.
 */
export function buildContext(
  config: ServerConfig,
  log: Log,
  maxClients = config.maxClients,
  clock: () => number = Date.now,
): Context {
  const room: Room<Client> = new Room<Client>(
    {
      maxClients,
      announceMax: config.announceMax,
      turnBytes: turnBytesOf(config),
      queueBytes: config.maxQueueBytes,
      windowBytes: config.windowBytes,
      behindTimeoutMs: config.behindTimeoutMs,
      historyLines: config.historyLines,
    },
    {
      stalled: (clients) => session.stalled(ctx, clients),
      relieved: (client) => input.relieved(ctx, client),
      missed: (client, count) => missedLine(room, client, count),
      failed: (client, error) => fail(ctx, client, error),
      error: noteError(log),
    },
    clock,
  );
  const ctx: Context = {
    room,
    gate: new Gate(config.maxPerAddress),
    config,
    log,
    waiting: new Waiting(),
    door: new Door((client) => nameRanOut(ctx, client)),
    handle: session.handle,
    tokens: new Map(),
    transcripts: new Tickets(clock),
    meter: new Meter(),
  };
  return ctx;
}

/**
 * Join the room `config.roomName` on the Redis at `config.redisUrl`, for
 * startServer; throws StartError with one sentence when Redis cannot be reached.
 */
export async function openShared(config: ServerConfig): Promise<Shared> {
  try {
    const [link, snapshot] = await RedisLink.open(config.redisUrl, config.roomName, newNodeId());
    return { link, snapshot };
  } catch (error) {
    if (error instanceof LinkError) throw new StartError(error.code, error.message);
    throw error;
  }
}

/** A name for this server in the room, new at each start. */
function newNodeId(): string {
  return randomBytes(6).toString("hex");
}

async function shutdown(
  ctx: Context,
  listener: TCPSocketListener<Client>,
  cluster: Cluster | null,
  web: WebServer | null,
): Promise<void> {
  const { room, config } = ctx;
  listener.stop(false);
  web?.stop(false);
  ctx.log.info("shutting down");
  const everyone = room.snapshot();
  room.announceHere(say("shuttingDown"));
  for (const client of everyone) {
    if (client.phase === "naming" || client.phase === "password") {
      room.tell(client, SERVER_TEXT[client.lang].shuttingDown());
    }
  }
  room.flush();
  room.close();
  // The other servers hear at once that this one's members are gone.
  await cluster?.leave();
  for (const client of everyone) {
    room.leave(client, { kind: "quietly" });
    closeGracefully(ctx, client, "server shutdown", config.shutdownGraceMs);
  }
  const deadline = performance.now() + config.shutdownGraceMs;
  while (room.connectionCount > 0 && performance.now() < deadline) {
    await Bun.sleep(SHUTDOWN_POLL_MS);
  }
  for (const client of room.snapshot()) client.connection.terminate();
  while (room.connectionCount > 0 && performance.now() < deadline + SHUTDOWN_CLOSE_MS) {
    await Bun.sleep(SHUTDOWN_POLL_MS);
  }
  listener.stop(true);
  web?.stop(true);
}

/** The soft RLIMIT_NOFILE, where the platform tells it. */
function fdLimit(): number {
  try {
    const limits = readFileSync("/proc/self/limits", "utf8");
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (match && match[1] !== "unlimited") return Number(match[1]);
  } catch {
    // Not Linux: nothing to read; rely on the configured cap.
  }
  return Number.POSITIVE_INFINITY;
}

/** The certificate and key as PEM text, or null for plain TCP; both files or neither. */
function readTls(config: ServerConfig): { cert: string; key: string } | null {
  if (config.tlsCert === "" && config.tlsKey === "") return null;
  if (config.tlsCert === "" || config.tlsKey === "") {
    throw new StartError("ETLS", "--tls-cert and --tls-key go together: give both or neither");
  }
  return { cert: readPem("--tls-cert", config.tlsCert), key: readPem("--tls-key", config.tlsKey) };
}

function readPem(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code;
    throw new StartError("ETLS", `cannot read ${flag} ${path}: ${why || "unreadable"}`);
  }
}

function isBindError(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? "";
  return code.startsWith("E") && !code.startsWith("ERR_");
}

/** Bun.listen refused the certificate or key (not PEM, or they do not match). */
function tlsError(config: ServerConfig, error: unknown): StartError {
  const detail = error instanceof Error ? error.message : String(error);
  return new StartError(
    "ETLS",
    `cannot use the certificate ${config.tlsCert} with the key ${config.tlsKey}: ${detail}`,
  );
}

function bindError(config: ServerConfig, error: unknown): StartError {
  const address = hostPort(config.host, config.port);
  const code = (error as { code?: string }).code ?? "";
  const cause: Record<string, string> = {
    EADDRINUSE: "the address is already in use",
    EADDRNOTAVAIL: "that address does not belong to this machine",
    EACCES: "permission denied (ports below 1024 need privileges)",
    EPERM: "permission denied",
  };
  const why = cause[code] ?? (code ? code : "the host name could not be resolved or bound");
  return new StartError(code || "EBIND", `cannot listen on ${address}: ${why}`);
}
