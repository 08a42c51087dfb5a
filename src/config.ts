/**
 * What users configure, with its defaults: the server's and the client's
 * settings, which the CLI entry points fill from flags and the environment.
 * Each subsystem's own tunables are named constants beside it (the room's
 * fan-out's buffers in room/fanout.ts, the cluster's in cluster/carrier.ts, and so on).
 */

import type { Lang } from "./protocol/lang.ts";

export interface ServerConfig {
  /** Address to listen on. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Most simultaneous connections (named or not); also capped by the fd limit. */
  maxClients: number;
  /** Longest accepted line in bytes, not counting the line ending. */
  maxLineBytes: number;
  /**
   * Bytes of a member's own queue (replies, private lines, its welcome and
   * history): a private line past it is not sent and its sender is told.
   * A turn gathers at most about as much (a quarter with --redis: one stream entry).
   */
  maxQueueBytes: number;
  /** Bytes of the room's latest lines kept in memory for members behind and for resume. */
  windowBytes: number;
  /** A member behind that takes no byte for this long is closed (ms); 0 never. */
  behindTimeoutMs: number;
  /** How long a papo client that vanished keeps its name and place, to resume (ms). */
  resumeGraceMs: number;
  /** Sustained lines per second per client; 0 turns flood control off. */
  rateLimit: number;
  /** Lines a client may send in a burst before the rate limit applies. */
  rateBurst: number;
  /** Milliseconds a new connection has to choose a valid name. */
  nameTimeoutMs: number;
  /** Join/leave notices are sent only while the room has at most this many members. */
  announceMax: number;
  /** Milliseconds to flush goodbyes on shutdown before closing anyway. */
  shutdownGraceMs: number;
  /** Language of the server's lines until a connection picks its own with /lang. */
  lang: Lang;
  /** Earlier chat lines replayed to a newcomer; 0 turns history off. */
  historyLines: number;
  /** "/op PASSWORD" makes a member an operator; "" means the room has no operators. */
  opPassword: string;
  /**
   * Names kept for operators from the start (comma-separated): joining
   * under one asks for the operator password. Every name that becomes an
   * operator's is kept too, from then on.
   */
  opNames: string;
  /** A connection must send this before its name; "" means the room is open. */
  roomPassword: string;
  /** Connections from one address not yet in the room, loopback included; 0 turns the cap off. */
  maxPerAddress: number;
  /** PEM certificate file for TLS on the listener; "" with tlsKey "" means plain TCP. */
  tlsCert: string;
  /** PEM private key file for tlsCert. */
  tlsKey: string;
  /**
   * Serve the web client (HTTP and WebSocket members) besides the TCP
   * listener. Off for a server started from code (tests, embedding);
   * `bun run server` turns it on unless --no-web.
   */
  web: boolean;
  /** The web client's port, on the same host; 0 picks a free one. */
  webPort: number;
  /**
   * Host names (comma-separated) the page may be reached by, besides this
   * machine's addresses, localhost and its own name: a name under which a
   * page was reached that is none of these is refused, so that a site that
   * rebinds its DNS name to this machine cannot join the room.
   */
  webHosts: string;
  /** Redis URL of a room shared by several servers; "" keeps the room in this process. */
  redisUrl: string;
  /** The room's name: its database's file, and its keys on Redis (servers with one name are one room). */
  roomName: string;
  /**
   * Folder the room is kept in (store/sqlite.ts); "" keeps nothing on disk.
   * "" for a server started from code (tests, embedding); `bun run server`
   * keeps the room under XDG's data home unless --no-store.
   */
  dataDir: string;
  /** Lines the store keeps at most; the oldest go first. */
  keepLines: number;
  /** Days the store keeps a line; 0 keeps lines whatever their age. */
  keepDays: number;
  /**
   * Port of a server of /healthz, /readyz and /metrics alone (with --no-web,
   * the only place they are served); 0 for none, the web port serves them.
   */
  metricsPort: number;
  /** Bearer token that opens /metrics to requests other than this machine's own; "" for none. */
  metricsToken: string;
  /** Share the port with other processes (--workers): the kernel splits connections among them. */
  reusePort: boolean;
  /** Silence the operator log. */
  quiet: boolean;
  /**
   * What the server prints: "text" for people (in --lang), "json" for log
   * shippers (one JSON object per line, in English; log-json.ts).
   */
  logFormat: "text" | "json";
  /**
   * Reverse proxies (addresses and CIDR ranges, comma-separated) whose
   * X-Forwarded-For names a web client's address (admission/proxy.ts); ""
   * trusts none. TCP members are never affected.
   */
  trustProxy: string;
}

export const SERVER_DEFAULTS: Readonly<ServerConfig> = {
  host: "127.0.0.1",
  port: 10101,
  maxClients: 10_000,
  maxLineBytes: 4096,
  maxQueueBytes: 1024 * 1024,
  windowBytes: 64 * 1024 * 1024,
  behindTimeoutMs: 60_000,
  resumeGraceMs: 60_000,
  rateLimit: 10,
  rateBurst: 20,
  nameTimeoutMs: 30_000,
  announceMax: 200,
  shutdownGraceMs: 2_000,
  lang: "en",
  historyLines: 50,
  opPassword: "",
  opNames: "",
  roomPassword: "",
  maxPerAddress: 64,
  tlsCert: "",
  tlsKey: "",
  web: false,
  webPort: 10102,
  webHosts: "",
  redisUrl: "",
  roomName: "papo",
  dataDir: "",
  keepLines: 100_000,
  keepDays: 30,
  metricsPort: 0,
  metricsToken: "",
  reusePort: false,
  quiet: false,
  logFormat: "text",
  trustProxy: "",
};

/** Environment variables that carry secrets, so they do not show in `ps`. */
export const SECRET_ENV = {
  opPassword: "PAPO_OP_PASSWORD",
  roomPassword: "PAPO_ROOM_PASSWORD",
  /** A Redis URL may hold a password. */
  redisUrl: "PAPO_REDIS_URL",
  metricsToken: "PAPO_METRICS_TOKEN",
} as const;

/**
 * The client's TLS: null is plain TCP. `ca` (PEM text) is the one authority
 * trusted instead of the system's; `insecure` accepts any certificate.
 */
export type ClientTls = { ca: string | null; insecure: boolean } | null;

export interface ClientConfig {
  host: string;
  port: number;
  tls: ClientTls;
  /** Give up connecting after this many milliseconds. */
  connectTimeoutMs: number;
  /** After /quit or end of input, wait this long for the server to close (ms). */
  quitWaitMs: number;
  /**
   * Longest server line shown, in bytes; longer ones are dropped. Well above
   * the server's input limit, since its /who and welcome lines grow with the room.
   */
  maxLineBytes: number;
  /** Input lines kept for the arrow keys in interactive mode, and in the history file. */
  historySize: number;
  /** Interactive mode: how long to wait before each try at reconnecting. */
  reconnect: Backoff;
}

/** Waits that grow: firstMs, then `factor` times longer each try, never over maxMs. */
export interface Backoff {
  firstMs: number;
  maxMs: number;
  factor: number;
  /** Each wait is spread by up to this fraction either way: a class does not all knock at once. */
  jitter: number;
}

export const CLIENT_DEFAULTS: Readonly<ClientConfig> = {
  host: "127.0.0.1",
  port: 10101,
  tls: null,
  connectTimeoutMs: 5_000,
  quitWaitMs: 2_000,
  maxLineBytes: 64 * 1024,
  historySize: 500,
  reconnect: { firstMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.2 },
};
