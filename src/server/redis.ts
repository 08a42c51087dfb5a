/**
 * The Redis carrier of a room spread over several servers: the only module
 * that knows Redis. It appends each server's batches to one stream (a total
 * order, kept for a bounded length so a reader that lost its connection
 * catches up from the last entry it read), reads the stream on a second
 * connection, claims names in a hash with Lua scripts (atomic, one round
 * trip), and keeps this server's presence alive with a key that expires.
 *
 * Keys, for room R (docs/cluster.md):
 *   papo:R:log            stream; each entry one batch in field "b"
 *   papo:R:names          hash: name key -> "node\thost\tname"
 *   papo:R:nodes          set of the servers that claimed names
 *   papo:R:alive:NODE     string with a TTL, refreshed by NODE's heartbeat
 *   papo:R:topic          string
 *   papo:R:bans           hash: address -> name it was banned as
 *
 * Bun's client does reconnect, but a reconnected subscriber or blocked
 * reader does not resume on its own, and a failed command and its onclose
 * both report one failure: so this module turns Bun's reconnects off and
 * runs its own loop, one generation of two fresh connections at a time.
 * While Redis is away, batches wait in a buffer of bounded size, sent in
 * order on return; receivers drop the repeats by (node, sequence number).
 */

import { RedisClient } from "bun";
import { CLUSTER } from "../config.ts";

/** What the carrier tells its owner (cluster.ts). */
export interface LinkEvents {
  /** An entry from the stream: a batch's text and the stream's time of it (ms). */
  entry(text: string, at: number): void;
  /** Redis cannot be reached; the carrier keeps trying. */
  down(): void;
  /** Redis is back, this server registered again and its buffered batches sent. */
  up(): void;
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
  recent: Array<{ text: string; at: number }>;
}

/** The carrier as cluster.ts uses it; RedisLink is the one implementation. */
export interface Link {
  readonly node: string;
  readonly connected: boolean;
  /** Append a batch; in order with every earlier one, buffered while Redis is away. */
  publish(batch: string): void;
  /** Claim a name key; null when Redis could not be asked. */
  claim(key: string, host: string, name: string): Promise<boolean | null>;
  release(key: string): void;
  /**
   * After a return: make the names hash hold exactly these claims of this
   * server's; returns the keys someone else took meanwhile.
   */
  own(claims: ReadonlyArray<{ key: string; host: string; name: string }>): Promise<string[] | null>;
  setTopic(text: string): void;
  ban(host: string, name: string): void;
  unban(host: string): void;
  /** Start reading and beating; events go to `events`. */
  start(events: LinkEvents): void;
  /** Leave the room: presence and claims removed, connections closed. */
  close(lastBatch: string | null): Promise<void>;
}

const CLAIM = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  local holder = string.match(v, '^([^\\t]*)')
  if holder ~= ARGV[2] and redis.call('EXISTS', ARGV[4] .. holder) == 1 then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`;

const RELEASE = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and string.match(v, '^([^\\t]*)') == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`;

/** ARGV: node, alive prefix, then key/value pairs; drops this node's other claims. */
const OWN = `
local mine = {}
for i = 3, #ARGV, 2 do mine[ARGV[i]] = ARGV[i + 1] end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.match(all[i + 1], '^([^\\t]*)') == ARGV[1] and not mine[all[i]] then
    redis.call('HDEL', KEYS[1], all[i])
  end
end
local lost = {}
for key, value in pairs(mine) do
  local v = redis.call('HGET', KEYS[1], key)
  local holder = v and string.match(v, '^([^\\t]*)')
  if holder and holder ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. holder) == 1 then
    table.insert(lost, key)
  else
    redis.call('HSET', KEYS[1], key, value)
  end
end
return lost`;

/** Frees the names of servers whose presence expired; returns them. */
const REAP = `
local dead = {}
for _, n in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[1] .. n) == 0 then
    table.insert(dead, n)
    redis.call('SREM', KEYS[2], n)
  end
end
if #dead > 0 then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local holder = string.match(all[i + 1], '^([^\\t]*)')
    for _, d in ipairs(dead) do
      if holder == d then redis.call('HDEL', KEYS[1], all[i]) end
    end
  end
end
return dead`;

/** ARGV: node; this server leaves: presence and every claim of its gone. */
const LEAVE = `
redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[2], ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.match(all[i + 1], '^([^\\t]*)') == ARGV[1] then redis.call('HDEL', KEYS[1], all[i]) end
end
return 0`;

/** Why the server could not join the room at start, as one sentence. */
export class LinkError extends Error {
  readonly code = "EREDIS";
}

type State = "up" | "down" | "closed";

export class RedisLink implements Link {
  private cmd: RedisClient;
  private reader: RedisClient;
  private state: State = "up";
  /** Bumped at each reconnect: callbacks of an older pair of connections are ignored. */
  private generation = 0;
  /** Sent, not yet acknowledged: resent after a reconnect (receivers drop repeats). */
  private readonly unacked: string[] = [];
  /** Published while Redis was away, oldest first. */
  private readonly waiting: string[] = [];
  private bufferedBytes = 0;
  private lastId: string;
  private events: LinkEvents | null = null;
  private beat: ReturnType<typeof setInterval> | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private retryMs: number = CLUSTER.reconnect.firstMs;
  /** When Redis last answered a heartbeat (ms). */
  private answeredAt = performance.now();
  private readonly keys: Record<"log" | "names" | "nodes" | "alive" | "topic" | "bans", string>;
  private readonly alivePrefix: string;

  private constructor(
    private readonly url: string,
    room: string,
    readonly node: string,
    pair: [RedisClient, RedisClient],
    lastId: string,
  ) {
    [this.cmd, this.reader] = pair;
    this.lastId = lastId;
    const p = `papo:${room}:`;
    this.alivePrefix = `${p}alive:`;
    this.keys = {
      log: `${p}log`,
      names: `${p}names`,
      nodes: `${p}nodes`,
      alive: `${this.alivePrefix}${node}`,
      topic: `${p}topic`,
      bans: `${p}bans`,
    };
    this.watch(pair, 0);
  }

  /**
   * Connect, register this server and read what the room already has.
   * Throws LinkError with one sentence when Redis cannot be reached.
   */
  static async open(url: string, room: string, node: string): Promise<[RedisLink, Snapshot]> {
    let pair: [RedisClient, RedisClient];
    try {
      pair = await connectPair(url);
    } catch (error) {
      throw new LinkError(`cannot reach Redis at ${url}: ${reason(error)}`);
    }
    const [cmd] = pair;
    const p = `papo:${room}:`;
    const [topic, bans, names, recent] = await Promise.all([
      cmd.send("GET", [`${p}topic`]) as Promise<string | null>,
      cmd.send("HGETALL", [`${p}bans`]) as Promise<Record<string, string> | null>,
      cmd.send("HGETALL", [`${p}names`]) as Promise<Record<string, string> | null>,
      cmd.send("XREVRANGE", [`${p}log`, "+", "-", "COUNT", String(CLUSTER.historyEntries)]),
    ]);
    const entries = toEntries(recent);
    const link = new RedisLink(url, room, node, pair, entries[0]?.id ?? "0-0");
    await link.register();
    const claimed = Object.values(names ?? {}).map(parseClaim);
    // Claims of a server that died and was not reaped yet are no members.
    const nodes = [...new Set(claimed.map((c) => c.node))];
    const alive = await Promise.all(nodes.map((n) => cmd.send("EXISTS", [`${p}alive:${n}`])));
    const live = new Set(nodes.filter((_, i) => alive[i] === 1));
    const snapshot: Snapshot = {
      topic: topic ?? "",
      bans: Object.entries(bans ?? {}),
      members: claimed.filter((c) => live.has(c.node)),
      recent: entries.map((e) => ({ text: e.text, at: idTime(e.id) })),
    };
    return [link, snapshot];
  }

  get connected(): boolean {
    return this.state === "up";
  }

  start(events: LinkEvents): void {
    this.events = events;
    this.beat = setInterval(() => this.heartbeat(), CLUSTER.heartbeatMs);
    void this.read(this.generation);
  }

  publish(batch: string): void {
    if (this.state === "closed") return;
    if (this.state === "down") {
      this.waiting.push(batch);
      this.bufferedBytes += batch.length;
      this.trim();
      return;
    }
    this.unacked.push(batch);
    this.bufferedBytes += batch.length;
    this.append(batch, this.generation);
    // Redis takes less than this server sends: treat it as away, so the buffer's bound holds.
    if (this.bufferedBytes > CLUSTER.bufferBytes) {
      this.events?.problem("redis: not keeping up; treating the link as down");
      this.goDown();
    }
  }

  async claim(key: string, host: string, name: string): Promise<boolean | null> {
    if (this.state !== "up") return null;
    try {
      const got = await this.cmd.send("EVAL", [
        CLAIM,
        "1",
        this.keys.names,
        key,
        this.node,
        claimValue(this.node, host, name),
        this.alivePrefix,
      ]);
      return got === 1;
    } catch (error) {
      this.failed(error, this.generation);
      return null;
    }
  }

  release(key: string): void {
    this.fire(["EVAL", RELEASE, "1", this.keys.names, key, this.node]);
  }

  async own(
    claims: ReadonlyArray<{ key: string; host: string; name: string }>,
  ): Promise<string[] | null> {
    if (this.state !== "up") return null;
    const args = [OWN, "1", this.keys.names, this.node, this.alivePrefix];
    for (const c of claims) args.push(c.key, claimValue(this.node, c.host, c.name));
    try {
      const lost = await this.cmd.send("EVAL", args);
      return Array.isArray(lost) ? lost.map(String) : [];
    } catch (error) {
      this.failed(error, this.generation);
      return null;
    }
  }

  setTopic(text: string): void {
    this.fire(["SET", this.keys.topic, text]);
  }

  ban(host: string, name: string): void {
    this.fire(["HSET", this.keys.bans, host, name]);
  }

  unban(host: string): void {
    this.fire(["HDEL", this.keys.bans, host]);
  }

  async close(lastBatch: string | null): Promise<void> {
    if (this.state === "closed") return;
    const wasUp = this.state === "up";
    this.state = "closed";
    this.generation++;
    if (this.beat !== null) clearInterval(this.beat);
    if (this.retry !== null) clearTimeout(this.retry);
    if (wasUp) {
      try {
        const k = this.keys;
        const last = lastBatch === null ? [] : [this.cmd.send("XADD", this.xadd(lastBatch))];
        await Promise.all([
          ...last,
          this.cmd.send("EVAL", [LEAVE, "3", k.names, k.nodes, k.alive, this.node]),
        ]);
      } catch {
        // Redis went away as we left: our presence expires on its own.
      }
    }
    this.cmd.close();
    this.reader.close();
  }

  /** This server's presence: alive (with a TTL) and listed among the servers. */
  private async register(): Promise<void> {
    const k = this.keys;
    await Promise.all([
      this.cmd.send("SET", [k.alive, "1", "PX", String(CLUSTER.aliveTtlMs)]),
      this.cmd.send("SADD", [k.nodes, this.node]),
    ]);
  }

  private append(batch: string, generation: number): void {
    this.cmd.send("XADD", this.xadd(batch)).then(
      () => {
        if (generation !== this.generation) return;
        const done = this.unacked.shift();
        if (done !== undefined) this.bufferedBytes -= done.length;
      },
      (error) => this.failed(error, generation),
    );
  }

  /** XADD's arguments: the stream trimmed to about its length, the batch in field "b". */
  private xadd(batch: string): string[] {
    return [this.keys.log, "MAXLEN", "~", String(CLUSTER.streamLength), "*", "b", batch];
  }

  /** A command whose answer nobody waits for; a failure is a lost link or a problem. */
  private fire(command: string[]): void {
    if (this.state !== "up") return;
    const [name = "", ...args] = command;
    const generation = this.generation;
    this.cmd.send(name, args).catch((error) => this.failed(error, generation));
  }

  private async read(generation: number): Promise<void> {
    const args = () => [
      "COUNT",
      String(CLUSTER.readCount),
      "BLOCK",
      String(CLUSTER.readBlockMs),
      "STREAMS",
      this.keys.log,
      this.lastId,
    ];
    const reader = this.reader;
    const ask = () => {
      const answer = reader.send("XREAD", args());
      answer.catch(() => {}); // seen where it is awaited; the last one may never be
      return answer;
    };
    let pending = ask();
    while (generation === this.generation && this.state === "up") {
      let reply: unknown;
      try {
        reply = await pending;
      } catch (error) {
        this.failed(error, generation);
        return;
      }
      if (generation !== this.generation) return;
      const entries = toEntries(
        reply === null ? null : (reply as Record<string, unknown>)[this.keys.log],
      );
      const last = entries.at(-1);
      if (last !== undefined) this.lastId = last.id;
      // Ask for what follows now: Redis's answer travels while these are applied.
      pending = ask();
      // Past this point every entry is applied, even if the link drops meanwhile:
      // the next read starts after them.
      for (const entry of entries) {
        this.events?.entry(entry.text, idTime(entry.id));
        // A full turn: let the fan-out deliver it before applying more.
        if (this.events?.full()) await nextTurn();
      }
    }
  }

  private heartbeat(): void {
    if (this.state !== "up") return;
    // Connected but silent (a frozen or overloaded Redis): as good as gone, and
    // what we keep sending would pile up in the client without bound.
    if (performance.now() - this.answeredAt > CLUSTER.aliveTtlMs) {
      this.events?.problem("redis: no answer for a while; treating the link as down");
      this.goDown();
      return;
    }
    const generation = this.generation;
    const k = this.keys;
    const watched = [...(this.events?.watched() ?? [])];
    const checks = watched.map((n) => this.cmd.send("EXISTS", [`${this.alivePrefix}${n}`]));
    Promise.all([
      this.cmd.send("SET", [k.alive, "1", "PX", String(CLUSTER.aliveTtlMs)]),
      this.cmd.send("SADD", [k.nodes, this.node]),
      this.cmd.send("EVAL", [REAP, "2", k.names, k.nodes, this.alivePrefix]),
      ...checks,
    ]).then(
      (answers) => {
        if (generation !== this.generation) return;
        this.answeredAt = performance.now();
        const gone = watched.filter((_, i) => answers[3 + i] === 0);
        if (gone.length > 0) this.events?.gone(gone);
      },
      (error) => this.failed(error, generation),
    );
  }

  private failed(error: unknown, generation: number): void {
    if (generation !== this.generation || this.state !== "up") return;
    if (this.cmd.connected && this.reader.connected) {
      this.events?.problem(`redis: ${reason(error)}`);
      return;
    }
    this.goDown();
  }

  private goDown(): void {
    if (this.state !== "up") return;
    this.state = "down";
    this.generation++;
    this.cmd.close();
    this.reader.close();
    // What was sent but not acknowledged goes again, before anything newer.
    this.waiting.unshift(...this.unacked.splice(0));
    this.trim();
    this.events?.down();
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    const { maxMs, factor, jitter } = CLUSTER.reconnect;
    const wait = this.retryMs * (1 + (Math.random() * 2 - 1) * jitter);
    this.retryMs = Math.min(maxMs, this.retryMs * factor);
    this.retry = setTimeout(() => void this.reconnect(), wait);
  }

  private async reconnect(): Promise<void> {
    this.retry = null;
    if (this.state !== "down") return;
    let pair: [RedisClient, RedisClient];
    try {
      pair = await connectPair(this.url);
    } catch {
      if (this.state === "down") this.scheduleRetry();
      return;
    }
    if (this.state !== "down") {
      for (const c of pair) c.close();
      return;
    }
    [this.cmd, this.reader] = pair;
    const generation = ++this.generation;
    this.watch(pair, generation);
    try {
      await this.register();
    } catch {
      for (const c of pair) c.close();
      if (generation === this.generation) this.scheduleRetry();
      return;
    }
    if (generation !== this.generation) return;
    this.state = "up";
    this.answeredAt = performance.now();
    this.retryMs = CLUSTER.reconnect.firstMs;
    for (const batch of this.waiting.splice(0)) {
      this.unacked.push(batch);
      this.append(batch, generation);
    }
    this.events?.up();
    void this.read(generation);
  }

  private watch(pair: readonly RedisClient[], generation: number): void {
    for (const client of pair) {
      client.onclose = () => {
        if (generation === this.generation) this.goDown();
      };
    }
  }

  /** Keep the buffer within its bound: the oldest waiting batches go first. */
  private trim(): void {
    let dropped = 0;
    while (this.bufferedBytes > CLUSTER.bufferBytes && this.waiting.length > 0) {
      const old = this.waiting.shift() as string;
      this.bufferedBytes -= old.length;
      dropped++;
    }
    if (dropped > 0) this.events?.lost(dropped);
  }
}

/** After the current event-loop turn (and its fan-out delivery). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function connectPair(url: string): Promise<[RedisClient, RedisClient]> {
  const options = {
    autoReconnect: false,
    enableOfflineQueue: false,
    connectionTimeout: CLUSTER.connectTimeoutMs,
  };
  const cmd = new RedisClient(url, options);
  const reader = new RedisClient(url, options);
  try {
    await Promise.all([cmd.connect(), reader.connect()]);
  } catch (error) {
    cmd.close();
    reader.close();
    throw error;
  }
  return [cmd, reader];
}

function claimValue(node: string, host: string, name: string): string {
  return `${node}\t${host}\t${name}`;
}

function parseClaim(value: string): Claimed {
  const [node = "", host = "", ...rest] = value.split("\t");
  return { node, host, name: rest.join("\t") };
}

/** Stream entries from an XREAD or XRANGE reply: [[id, [field, value, ...]], ...]. */
function toEntries(reply: unknown): Array<{ id: string; text: string }> {
  if (!Array.isArray(reply)) return [];
  const out: Array<{ id: string; text: string }> = [];
  for (const item of reply) {
    if (!Array.isArray(item)) continue;
    const [id, fields] = item as [unknown, unknown];
    if (typeof id !== "string" || !Array.isArray(fields)) continue;
    const at = fields.indexOf("b");
    const text = at >= 0 ? fields[at + 1] : undefined;
    if (typeof text === "string") out.push({ id, text });
  }
  return out;
}

/** The milliseconds part of a stream id ("1700000000000-3"): Redis's clock, the same for all. */
function idTime(id: string): number {
  return Number(id.slice(0, id.indexOf("-")));
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
