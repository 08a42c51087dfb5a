/**
 * Every tunable of papo with its default, in one place. CLI entry points turn
 * flags into these objects; nothing else hard-codes a limit.
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
  /** Most bytes a client may have waiting to be written before it is evicted. */
  maxQueueBytes: number;
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
  /** A connection must send this before its name; "" means the room is open. */
  roomPassword: string;
  /** Connections from one address at once, loopback included; 0 turns the cap off. */
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
  /** Which shared room on that Redis (servers with the same name are one room). */
  roomName: string;
  /** Share the port with other processes (--workers): the kernel splits connections among them. */
  reusePort: boolean;
  /** Silence the operator log. */
  quiet: boolean;
}

export const SERVER_DEFAULTS: Readonly<ServerConfig> = {
  host: "127.0.0.1",
  port: 10101,
  maxClients: 10_000,
  maxLineBytes: 4096,
  maxQueueBytes: 1024 * 1024,
  rateLimit: 10,
  rateBurst: 20,
  nameTimeoutMs: 30_000,
  announceMax: 200,
  shutdownGraceMs: 2_000,
  lang: "en",
  historyLines: 50,
  opPassword: "",
  roomPassword: "",
  maxPerAddress: 32,
  tlsCert: "",
  tlsKey: "",
  web: false,
  webPort: 10102,
  webHosts: "",
  redisUrl: "",
  roomName: "papo",
  reusePort: false,
  quiet: false,
};

/**
 * The web client's WebSocket. A frame carries whole lines; frames the server
 * sends are cut at a line's end past `frameBytes`, so a backlog written at
 * once never becomes one huge frame held by Bun besides papo's own queue.
 */
export const WEB = {
  /** Longest frame a browser may send, as lines of --max-line-bytes: more closes with 1009. */
  framesOfLines: 16,
  /** A frame the server sends is cut at the first line end past this many bytes. */
  frameBytes: 64 * 1024,
  /**
   * Input read but not yet acted on, while something holds the member (flood
   * control, pacing, a password's wait), in longest frames: past it the
   * member is told so and closed (1 MiB at the defaults). Pausing a
   * WebSocket still delivers what was already read (about one read), so a
   * browser that plays by the rules stays far below it.
   */
  heldFrames: 16,
  /** Seconds without a frame or a pong before Bun closes the socket; it pings before. */
  idleTimeoutSeconds: 120,
} as const;

/** Environment variables that carry secrets, so they do not show in `ps`. */
export const SECRET_ENV = {
  opPassword: "PAPO_OP_PASSWORD",
  roomPassword: "PAPO_ROOM_PASSWORD",
  /** A Redis URL may hold a password. */
  redisUrl: "PAPO_REDIS_URL",
} as const;

/** A room spread over several servers through Redis (docs/cluster.md). */
export const CLUSTER = {
  /** How often a server refreshes its presence and checks the others' (ms). */
  heartbeatMs: 1_000,
  /** A server whose presence was not refreshed for this long is gone (ms). */
  aliveTtlMs: 5_000,
  /** Batches the stream keeps (about): what a reader that lost its link can catch up on. */
  streamLength: 10_000,
  /**
   * Stream entries read at once. An entry is one server's turn, up to a
   * quarter of --max-queue-bytes: 64 of them bound one read to 16 MiB.
   */
  readCount: 64,
  /** How long one read waits for new entries before asking again (ms). */
  readBlockMs: 2_000,
  /** Batches kept while Redis is away, in bytes; the oldest are dropped past this. */
  bufferBytes: 16 * 1024 * 1024,
  /** Newest stream entries read at start for the room's history. */
  historyEntries: 500,
  connectTimeoutMs: 2_000,
  /** Waits between tries while Redis is away. */
  reconnect: { firstMs: 250, maxMs: 5_000, factor: 2, jitter: 0.2 },
  /** Members are told at most this often that lines from another server went missing (ms). */
  missedNoticeMs: 60_000,
  /** Servers whose last batch number is remembered (repeats are dropped by it). */
  appliedNodes: 1024,
  /** Connections to Redis per server, kept out of the file descriptors for clients. */
  connections: 2,
} as const;

/** Failed passwords from one address: each answer waits twice as long as the last, up to the max. */
export const PASSWORD_PENALTY = {
  firstMs: 250,
  maxMs: 8_000,
  /** Addresses remembered at once; the oldest is forgotten past this. */
  addresses: 4096,
  /** A quiet address is forgiven after this long (ms). */
  forgetMs: 10 * 60_000,
} as const;

/** Protocol constants that are part of the contract rather than tunables. */
export const PROTOCOL = {
  /** Longest name, in Unicode code points. */
  maxNameLength: 24,
  /** Names listed in the welcome line. */
  welcomeNames: 20,
  /** Names listed by /who before "and K more". */
  whoNames: 50,
} as const;

/** The fan-out's buffers. */
export const FANOUT = {
  /** Starting size of the arena a turn's lines are encoded into. */
  minArenaBytes: 16 * 1024,
  /** A member's share up to this size is gathered into one write; larger, one write per piece. */
  gatherBytes: 16 * 1024,
  /** Per-turn bookkeeping objects kept for reuse. */
  spareMarks: 1024,
} as const;

/** Sender pacing and per-turn budgets, as fractions of --max-queue-bytes (see server/pacer.ts). */
export const PACING = {
  /** A reader with more than this share of the cap waiting is behind. */
  lowWaterFraction: 1 / 4,
  /** Past this share of its cap a reader who is not stalled makes the room wait for it. */
  highWaterFraction: 1 / 2,
  /** A turn gathers about this share of the cap before further input waits for the next turn. */
  turnFraction: 1 / 4,
  /**
   * A reader that is waited for is cut past this many times its cap at once:
   * the bound on what pacing does not hold back (notices, other servers' lines).
   */
  ceilingFactor: 4,
  /** The longest a reader may take nothing before the room stops waiting for it (ms). */
  stallMs: 2_000,
  /** A stop up to this long costs a reader none of its grace (ms). */
  freeStopMs: 100,
  /** Grace a reader earns back per ms: 2 s of grace spent comes back in 20 s. */
  graceRefill: 1 / 10,
} as const;

/** How often shutdown checks whether every connection has closed (ms). */
export const SHUTDOWN_POLL_MS = 10;

/** After the grace period, how long shutdown waits for cut connections to report closed (ms). */
export const SHUTDOWN_CLOSE_MS = 500;

/** File descriptors kept free for the listener, stdio and the runtime itself. */
export const FD_RESERVE = 32;

/** How long a quitting or shut-out client may take to read its last bytes and close (ms). */
export const CLOSE_FLUSH_MS = 2_000;

/** TCP keepalive idle time before the first probe (ms). */
export const KEEPALIVE_MS = 60_000;

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
