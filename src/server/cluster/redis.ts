/**
 * The Redis carrier of a room spread over several servers: the only module
 * that talks to Redis. It appends each server's batches to one stream (a total
 * order, kept for a bounded length so a reader that lost its connection
 * catches up from the last entry it read), reads the stream on a second
 * connection, claims names in a hash with Lua scripts (atomic, one round
 * trip), and keeps this server's presence alive with a key that expires.
 *
 * What is kept where, and the scripts, are in redis-keys.ts (docs/cluster.md).
 *
 * Bun's client does reconnect, but a reconnected subscriber or blocked
 * reader does not resume on its own, and a failed command and its onclose
 * both report one failure: so this module turns Bun's reconnects off and
 * runs its own loop, one generation of two fresh connections at a time.
 * While Redis is away, batches wait in a buffer of bounded size, sent in
 * order on return; a batch already appended (its reply lost) is not appended
 * again: the append script drops it by this server's last sequence number.
 */

import { randomBytes } from "node:crypto";
import { RedisClient } from "bun";
import { described, guarded } from "../guard.ts";
import type { Taken } from "../room/peers.ts";
import type { Link, LinkEvents, Outgoing, Snapshot, StateWrite } from "./carrier.ts";
import { CLUSTER } from "./carrier.ts";
import {
  APPEND,
  CLAIM,
  claimValue,
  idTime,
  type Keys,
  keysOf,
  LEAVE,
  OWN,
  parseClaim,
  parseTokenRecord,
  REAP,
  RELEASE,
  RESTORE,
  secretHash,
  TAKE,
  toEntries,
  UNTAKE,
} from "./redis-keys.ts";

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
  /** Sent, not yet acknowledged: resent after a reconnect (the append script drops repeats). */
  private readonly unacked: Outgoing[] = [];
  /** Published while Redis was away, oldest first. */
  private readonly waiting: Outgoing[] = [];
  private bufferedBytes = 0;
  private lastId: string;
  private events: LinkEvents | null = null;
  private beat: ReturnType<typeof setInterval> | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private retryMs: number = CLUSTER.reconnect.firstMs;
  /** When Redis last answered a heartbeat (ms). */
  private answeredAt = performance.now();
  private readonly keys: Keys;

  private constructor(
    private readonly url: string,
    room: string,
    readonly node: string,
    pair: [RedisClient, RedisClient],
    lastId: string,
  ) {
    [this.cmd, this.reader] = pair;
    this.lastId = lastId;
    this.keys = keysOf(room, node);
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
      throw new LinkError(`cannot reach Redis at ${redacted(url)}: ${reason(error)}`);
    }
    const [cmd] = pair;
    const k = keysOf(room, node);
    // In this order on one connection: the stream's position first, so an
    // append between the reads is read again from the stream (in order)
    // rather than missed. The "kept" mark: this room's state is in Redis now.
    const [recent, topic, bans, names] = await Promise.all([
      cmd.send("XREVRANGE", [k.log, "+", "-", "COUNT", String(CLUSTER.historyEntries)]),
      cmd.send("GET", [k.topic]) as Promise<string | null>,
      cmd.send("HGETALL", [k.bans]) as Promise<Record<string, string> | null>,
      cmd.send("HGETALL", [k.names]) as Promise<Record<string, string> | null>,
      cmd.send("SETNX", [k.kept, "1"]),
    ]);
    const entries = toEntries(recent);
    const link = new RedisLink(url, room, node, pair, entries[0]?.id ?? "0-0");
    await link.register();
    const claimed = Object.values(names ?? {}).map(parseClaim);
    // Claims of a server that died and was not reaped yet are no members.
    const nodes = [...new Set(claimed.map((c) => c.node))];
    const alive = await Promise.all(nodes.map((n) => cmd.send("EXISTS", [k.aliveOf(n)])));
    const live = new Set(nodes.filter((_, i) => alive[i] === 1));
    const snapshot: Snapshot = {
      topic: topic ?? "",
      bans: Object.entries(bans ?? {}),
      members: claimed.filter((c) => live.has(c.node)),
      recent: entries.flatMap((e) =>
        e.text === null ? [] : [{ text: e.text, at: idTime(e.id), pos: e.pos }],
      ),
    };
    return [link, snapshot];
  }

  get connected(): boolean {
    return this.state === "up";
  }

  start(events: LinkEvents): void {
    this.events = events;
    // Outside any socket handler: a throw is told as a problem, and the next beat comes as usual.
    const beat = guarded(
      "the heartbeat",
      (where, error) => events.problem(`${where}: ${described(error)}`),
      () => this.heartbeat(),
    );
    this.beat = setInterval(beat, CLUSTER.heartbeatMs);
    this.reading(this.generation);
  }

  publish(batch: string, seq: number, writes: readonly StateWrite[], lines: number): void {
    if (this.state === "closed") return;
    const out: Outgoing = { batch, seq, writes, lines };
    if (this.state === "down") {
      this.waiting.push(out);
      this.bufferedBytes += batch.length;
      this.trim();
      return;
    }
    this.unacked.push(out);
    this.bufferedBytes += batch.length;
    this.append(out, this.generation);
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
        this.keys.alivePrefix,
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
    const args = [OWN, "1", this.keys.names, this.node, this.keys.alivePrefix];
    for (const c of claims) args.push(c.key, claimValue(this.node, c.host, c.name));
    try {
      const lost = await this.cmd.send("EVAL", args);
      return Array.isArray(lost) ? lost.map(String) : [];
    } catch (error) {
      this.failed(error, this.generation);
      return null;
    }
  }

  keepToken(id: string, record: string): void {
    this.fire(["SET", this.keys.tokenOf(id), record, "PX", String(CLUSTER.tokenTtlMs)]);
  }

  dropToken(id: string): void {
    this.fire(["DEL", this.keys.tokenOf(id)]);
  }

  async takeToken(id: string, secret: Buffer, host: string): Promise<Taken> {
    if (this.state !== "up") return null;
    const k = this.keys;
    try {
      const args = [TAKE, "3", k.tokenOf(id), k.names, k.spentOf(id)];
      args.push(secretHash(secret), this.node, host, String(CLUSTER.tokenTtlMs));
      const answer = await this.cmd.send("EVAL", args);
      return answer === "spent" ? "spent" : parseTokenRecord(answer);
    } catch (error) {
      this.failed(error, this.generation);
      return null;
    }
  }

  untake(id: string, record: string, key: string, claim: string): void {
    const k = this.keys;
    const ttl = String(CLUSTER.tokenTtlMs);
    this.fire([
      "EVAL",
      UNTAKE,
      "3",
      k.tokenOf(id),
      k.names,
      k.spentOf(id),
      record,
      key,
      claim,
      ttl,
      this.node,
    ]);
  }

  restore(topic: string, bans: ReadonlyArray<readonly [string, string]>): void {
    const k = this.keys;
    this.fire(["EVAL", RESTORE, "3", k.kept, k.topic, k.bans, topic, ...bans.flat()]);
  }

  async close(last: Outgoing | null): Promise<void> {
    if (this.state === "closed") return;
    const wasUp = this.state === "up";
    this.state = "closed";
    this.generation++;
    if (this.beat !== null) clearInterval(this.beat);
    if (this.retry !== null) clearTimeout(this.retry);
    if (wasUp) {
      try {
        const k = this.keys;
        const appended = last === null ? [] : [this.cmd.send("EVAL", this.appendArgs(last))];
        await within(
          Promise.all([
            ...appended,
            this.cmd.send("EVAL", [LEAVE, "3", k.names, k.nodes, k.alive, this.node]),
          ]),
          CLUSTER.connectTimeoutMs,
        );
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
    await within(
      Promise.all([
        this.cmd.send("SET", [k.alive, "1", "PX", String(CLUSTER.aliveTtlMs)]),
        this.cmd.send("SADD", [k.nodes, this.node]),
      ]),
      CLUSTER.connectTimeoutMs,
    );
  }

  private append(out: Outgoing, generation: number): void {
    this.cmd.send("EVAL", this.appendArgs(out)).then(
      () => {
        if (generation !== this.generation) return;
        const done = this.unacked.shift();
        if (done !== undefined) this.bufferedBytes -= done.batch.length;
      },
      (error) => this.failed(error, generation),
    );
  }

  /**
   * The append script's arguments: the stream trimmed to about its length,
   * the batch in field "b", its state writes applied with it, unless Redis
   * has this batch number of this server already.
   */
  private appendArgs(out: Outgoing): string[] {
    const k = this.keys;
    const args = [APPEND, "5", k.log, k.seq, k.topic, k.bans, k.pos, String(out.seq)];
    args.push(String(CLUSTER.streamLength), String(CLUSTER.seqTtlMs), out.batch);
    // A new epoch proposed with every batch: used only if Redis holds none (it lost the room).
    args.push(String(out.lines), randomBytes(8).toString("hex"));
    for (const [op, a, b = ""] of out.writes) args.push(op, a, b);
    return args;
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
        // A read that never answers (its connection silently gone) is an outage too.
        reply = await within(pending, CLUSTER.readBlockMs + CLUSTER.aliveTtlMs);
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
        if (entry.text === null) this.events?.problem(`skipped stream entry ${entry.id}: no batch`);
        else this.events?.entry(entry.text, idTime(entry.id), entry.pos);
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
    const checks = watched.map((n) => this.cmd.send("EXISTS", [this.keys.aliveOf(n)]));
    Promise.all([
      this.cmd.send("SET", [k.alive, "1", "PX", String(CLUSTER.aliveTtlMs)]),
      this.cmd.send("SADD", [k.nodes, this.node]),
      this.cmd.send("EVAL", [REAP, "2", k.names, k.nodes, this.keys.alivePrefix]),
      ...checks,
    ]).then(
      (answers) => {
        if (generation !== this.generation) return;
        this.answeredAt = performance.now();
        // Not listed any more: Redis stalled long enough for another server to reap this one.
        if (answers[1] === 1) this.events?.reaped();
        const gone = watched.filter((_, i) => answers[3 + i] === 0);
        if (gone.length > 0) this.events?.gone(gone);
      },
      (error) => this.failed(error, generation),
    );
  }

  /**
   * A command failed. A closed connection is an outage; so is an error reply
   * on a live one (out of memory, read-only, loading...): Redis cannot be
   * trusted to have kept what was sent, so this server acts as if it were
   * away (buffers, decides names itself) and checks everything on return.
   */
  private failed(error: unknown, generation: number): void {
    if (generation !== this.generation || this.state !== "up") return;
    if (this.cmd.connected && this.reader.connected) {
      this.events?.problem(`redis answered with an error: ${reason(error)}`);
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
    for (const out of this.waiting.splice(0)) {
      this.unacked.push(out);
      this.append(out, generation);
    }
    this.events?.up();
    this.reading(generation);
  }

  /** The read loop of one generation; a bug in it is logged, and the link goes down and back. */
  private reading(generation: number): void {
    this.read(generation).catch((error) => {
      this.events?.problem(`reading the stream failed: ${reason(error)}`);
      this.failed(error, generation);
    });
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
      const old = this.waiting.shift() as Outgoing;
      this.bufferedBytes -= old.batch.length;
      dropped++;
    }
    if (dropped > 0) this.events?.lost(dropped);
  }
}

/** `promise`, or a rejection once `ms` have passed without it settling. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
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

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A Redis URL for the log, without its password. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "the Redis URL";
  }
}
