/**
 * Wires papo's sessions to Bun.listen: one handlers object whose handlers
 * each call one named function, the connection cap, and graceful shutdown.
 * The web client's server (web.ts) shares the same room and shutdown.
 */

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Socket, TCPSocketListener } from "bun";
import {
  CLUSTER,
  FD_RESERVE,
  KEEPALIVE_MS,
  PACING,
  type ServerConfig,
  SHUTDOWN_CLOSE_MS,
  SHUTDOWN_POLL_MS,
} from "../config.ts";
import { hostPort } from "../net/address.ts";
import { SERVER_TEXT, say } from "../protocol/messages.ts";
import { Gate } from "./admission/addresses.ts";
import { arrive } from "./admission/door.ts";
import type { Link, Snapshot } from "./cluster/carrier.ts";
import { Cluster } from "./cluster/cluster.ts";
import { LinkError, RedisLink } from "./cluster/redis.ts";
import { type Log, silentLog } from "./log.ts";
import { Room } from "./room/room.ts";
import { Client } from "./session/client.ts";
import { type Context, Waiting } from "./session/context.ts";
import * as session from "./session/lifecycle.ts";
import { closeGracefully } from "./session/output.ts";
import { startWeb, type WebServer } from "./transport/http.ts";

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** The listener speaks TLS (and the web client HTTPS). */
  readonly tls: boolean;
  /** The web client's port and page address; null with --no-web. */
  readonly web: { readonly port: number; readonly url: string } | null;
  /** Connections accepted (cap after the file-descriptor limit). */
  readonly maxClients: number;
  /** Open connections, named or not. */
  connectionCount(): number;
  /** Members of the room, on every server it spans. */
  memberCount(): number;
  /** Say goodbye to everyone, flush for at most the grace period, close. */
  stop(): Promise<void>;
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
  const share = (fraction: number) => Math.max(1, Math.floor(config.maxQueueBytes * fraction));
  const room: Room<Client> = new Room<Client>(
    {
      maxClients,
      announceMax: config.announceMax,
      watermarks: {
        low: share(PACING.lowWaterFraction),
        high: share(PACING.highWaterFraction),
        cap: config.maxQueueBytes,
      },
      turnBytes: share(PACING.turnFraction),
      historyLines: config.historyLines,
    },
    {
      evict: (slow) => session.evict(ctx, slow),
      pause: (client) => session.pace(client),
      resume: (client) => session.unpace(ctx, client),
    },
  );
  const gate = new Gate(config.maxPerAddress);
  const ctx: Context = {
    room,
    gate,
    config,
    log,
    waiting: new Waiting(),
    resume: (client) => session.work(ctx, client),
  };
  const tls = readTls(config);
  let cluster: Cluster | null = null;
  if (shared !== undefined) {
    cluster = new Cluster(ctx, shared.link);
    cluster.restore(shared.snapshot);
    room.peers = cluster;
  }

  let listener: TCPSocketListener<Client>;
  try {
    listener = Bun.listen<Client>({
      hostname: config.host,
      port: config.port,
      // Workers share the port (Linux SO_REUSEPORT); otherwise nobody else may bind it.
      ...(config.reusePort ? { reusePort: true } : { exclusive: true }),
      // A peer that closes its sending side (nc at end of input) still gets its replies.
      allowHalfOpen: true,
      ...(tls === null ? {} : { tls }),
      socket: {
        binaryType: "uint8array",
        open: (socket) => opened(ctx, socket),
        data: (socket, chunk) => session.receive(ctx, socket.data, chunk),
        drain: (socket) => session.drained(ctx, socket.data),
        end: (socket) => session.peerEnded(ctx, socket.data),
        close: (socket, error) => session.closed(ctx, socket.data, error),
        error: (socket, error) => session.failed(ctx, socket.data, error),
      },
    });
  } catch (error) {
    void cluster?.leave();
    throw tls !== null && !isBindError(error) ? tlsError(config, error) : bindError(config, error);
  }
  let web: WebServer | null = null;
  if (config.web) {
    try {
      web = startWeb(ctx, tls);
    } catch (error) {
      listener.stop(true);
      void cluster?.leave();
      throw bindError({ ...config, port: config.webPort }, error);
    }
  }
  // Only once both listen: a server that cannot start never joins the room.
  if (cluster !== null) shared?.link.start(cluster);

  let stopping: Promise<void> | null = null;
  return {
    host: config.host,
    port: listener.port,
    tls: tls !== null,
    web: web === null ? null : { port: web.port, url: web.url },
    maxClients,
    connectionCount: () => room.connectionCount,
    memberCount: () => room.memberCount,
    stop: () => {
      stopping ??= shutdown(ctx, listener, cluster, web);
      return stopping;
    },
  };
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

function opened(ctx: Context, socket: Socket<Client>): void {
  const client = new Client(socket, ctx.config, performance.now());
  socket.data = client;
  if (arrive(ctx, client)) socket.setKeepAlive(true, KEEPALIVE_MS);
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
      room.fanout.toOne(client, SERVER_TEXT[client.lang].shuttingDown());
    }
  }
  room.fanout.flush();
  room.close();
  // The other servers hear at once that this one's members are gone.
  await cluster?.leave();
  for (const client of everyone) {
    room.leave(client, { kind: "quietly" });
    closeGracefully(client, "server shutdown", config.shutdownGraceMs);
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
