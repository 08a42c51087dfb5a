/**
 * The contract between a shared room's adapter (cluster.ts) and what carries
 * its batches between servers (redis.ts, the one carrier): what the adapter
 * asks of the carrier, what the carrier reports back, and what the room
 * already holds when a server joins it. Types only.
 */

import type { Wire } from "../room/log.ts";
import type { Taken } from "../room/peers.ts";

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
  /**
   * How long Redis remembers a server's last appended batch number, from its
   * last append (ms): a resend of a batch already in the stream is dropped by
   * it, however long the outage that made the server resend.
   */
  seqTtlMs: 24 * 60 * 60_000,
  /** How long Redis keeps a resume token (ms): a member connected longer resumes only on its own server. */
  tokenTtlMs: 24 * 60 * 60_000,
} as const;

/**
 * After this server's link comes back, how long others' missing presence is
 * not taken for death (ms). After a Redis restart or freeze every presence
 * key is gone; each server registers again when its own retry succeeds, up
 * to one longest retry wait (with its jitter) after this one, and presence
 * is checked once a heartbeat. Never shorter than a presence's lifetime.
 */
export const PRESENCE_GRACE_MS =
  Math.max(
    CLUSTER.aliveTtlMs,
    CLUSTER.reconnect.maxMs * (1 + CLUSTER.reconnect.jitter) + CLUSTER.connectTimeoutMs,
  ) + CLUSTER.heartbeatMs;

/**
 * A change to the room's state that Redis keeps for servers that start
 * later, written in the same atomic step as the batch that tells it, so the
 * kept value is always the one the stream's order gives: the topic, a ban
 * (address, name banned as), an unban (address).
 */
export type StateWrite =
  | ["t", text: string]
  | ["b", host: string, name: string]
  | ["u", host: string];

/** What the carrier tells its owner (cluster.ts). */
export interface LinkEvents {
  /**
   * An entry from the stream: a batch's text, the stream's time of it (ms),
   * and the position of its first line (null: an entry without one).
   */
  entry(text: string, at: number, pos: Wire | null): void;
  /** Redis cannot be reached; the carrier keeps trying. */
  down(): void;
  /** Redis is back, this server registered again and its buffered batches sent. */
  up(): void;
  /** Another server took this one for dead (Redis stalled): its claims must be made again. */
  reaped(): void;
  /** Servers whose presence expired (dead, or cut off): their members are gone. */
  gone(nodes: readonly string[]): void;
  /** Servers whose members this one knows of, to check they are alive. */
  watched(): Iterable<string>;
  /** The local fan-out's turn is full: further entries wait for the next turn. */
  full(): boolean;
  /** Batches the buffer could not keep while Redis was away. */
  lost(batches: number): void;
  /** Something unexpected from Redis, for the operator log. */
  problem(text: string): void;
}

/** A member as the names hash holds it. */
export interface Claimed {
  readonly node: string;
  readonly host: string;
  readonly name: string;
}

/** What the room already has when a server joins it. */
export interface Snapshot {
  topic: string;
  bans: Array<[host: string, name: string]>;
  members: Claimed[];
  /** The newest entries, newest first, for history. */
  recent: Array<{ text: string; at: number; pos: Wire | null }>;
}

/** One of this server's batches on its way: its number, the state it writes, the lines it makes. */
export interface Outgoing {
  readonly batch: string;
  readonly seq: number;
  readonly writes: readonly StateWrite[];
  /** How many of its events make a line of the room's log (they take that many positions). */
  readonly lines: number;
}

/** The carrier as cluster.ts uses it; RedisLink (redis.ts) is the one implementation. */
export interface Link {
  readonly node: string;
  readonly connected: boolean;
  /**
   * Append batch number `seq` of this server, with the state `writes` it
   * tells; in order with every earlier one, buffered while Redis is away.
   * Appending the same number again (a resend) is a no-op.
   */
  publish(batch: string, seq: number, writes: readonly StateWrite[], lines: number): void;
  /** Claim a name key; null when Redis could not be asked. */
  claim(key: string, host: string, name: string): Promise<boolean | null>;
  release(key: string): void;
  /**
   * After a return: make the names hash hold exactly these claims of this
   * server's; returns the keys someone else took meanwhile.
   */
  own(claims: ReadonlyArray<{ key: string; host: string; name: string }>): Promise<string[] | null>;
  /**
   * After a return: what a restarted Redis forgot of the room's state (the
   * topic when none is kept, bans not kept), from this server's view. Never
   * overwrites what Redis holds: that is the stream's latest word.
   */
  restore(topic: string, bans: ReadonlyArray<readonly [string, string]>): void;
  /** Start reading and beating; events go to `events`. */
  start(events: LinkEvents): void;
  /** Leave the room: the last batch appended (as publish), presence and claims removed, connections closed. */
  close(last: Outgoing | null): Promise<void>;
  /** Keep a resume token's record (redis-keys.ts, tokenRecord) under its id. */
  keepToken(id: string, record: string): void;
  dropToken(id: string): void;
  /** Spend a token of any server's if `secret` is its own: its member, its name now this server's. */
  takeToken(id: string, secret: Buffer, host: string): Promise<Taken>;
  /** Undo a take: the record back, the name's claim back to `claim` if this server holds it. */
  untake(id: string, record: string, key: string, claim: string): void;
}
