/**
 * Fakes for testing the server's core without sockets or Redis: a fake
 * Connection (records what was written, takes as many bytes as the test
 * says), a real server Context wired the way server.ts's startServer wires
 * it, clients opened on fake connections through the real door, and a fake
 * carrier (Link) that records the batches the Cluster adapter publishes and
 * delivers batches from "other servers" to it.
 *
 * For the room and its fan-out alone there is {@link FakeMember}: a Member
 * (so a Reader) whose socket is a FakeConnection.
 *
 * Time: the room delivers a turn at the end of an event-loop turn
 * (setImmediate). `ctx.room.flush()` delivers now; {@link turn} awaits one
 * real event-loop turn (what the input flow's deferred turns and the
 * cluster's batches also wait for). Timers (name timeout, flood control,
 * password penalty, the resume grace, the read-timeout sweep) are real
 * timers: tests move them with Bun's `jest.useFakeTimers()` /
 * `jest.advanceTimersByTime()`, which also move `performance.now()` and
 * `Date.now()` (setImmediate stays real). LogFanout takes its clock and
 * timer as parameters, for tests that build one by hand.
 */

import { afterEach, jest } from "bun:test";
import { SERVER_DEFAULTS, type ServerConfig } from "../../src/config.ts";
import type { Lang } from "../../src/protocol/lang.ts";
import { arrive } from "../../src/server/admission/door.ts";
import type { Link, LinkEvents, Snapshot, StateWrite } from "../../src/server/cluster/carrier.ts";
import { Cluster } from "../../src/server/cluster/cluster.ts";
import {
  type Batch,
  decodeBatch,
  type Event,
  encodeBatch,
  positioned,
} from "../../src/server/cluster/events.ts";
import { type Log, silentLog } from "../../src/server/log.ts";
import { dialectOf } from "../../src/server/room/dialects.ts";
import type { Wire } from "../../src/server/room/log.ts";
import type { Taken } from "../../src/server/room/peers.ts";
import { Reader } from "../../src/server/room/reader.ts";
import type { Member } from "../../src/server/room/room.ts";
import { buildContext } from "../../src/server/server.ts";
import { Client } from "../../src/server/session/client.ts";
import type { Context } from "../../src/server/session/context.ts";
import * as input from "../../src/server/session/input.ts";
import * as session from "../../src/server/session/lifecycle.ts";
import type { Connection } from "../../src/server/transport/connection.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

let nextPort = 40_000;

/**
 * A Connection that keeps what it was written instead of sending it. Each
 * write takes what {@link accept} says (all of it by default; fewer, or 0,
 * for a socket whose kernel buffer is full); once terminated or ended it
 * takes nothing (-1), as a closed Bun socket does.
 */
export class FakeConnection implements Connection {
  /** The bytes of every write, as taken (what the peer would read), in order; copies. */
  readonly taken: Uint8Array[] = [];
  /** The buffer each write was handed, taken or not (the very object, to see which were shared). */
  readonly buffers: Uint8Array[] = [];
  /** Bytes offered by each write, taken or not. */
  readonly offered: number[] = [];
  /** How many of `offered` bytes one write takes. */
  accept: (offered: number) => number = (offered) => offered;
  pauses = 0;
  resumes = 0;
  shutdowns = 0;
  ends = 0;
  terminations = 0;
  /** Reading is paused (pause() called last, not resume()). */
  paused = false;
  /** Terminated or ended: the socket is gone, its close event is due. */
  closed = false;
  /** Called (in a microtask, as a socket's close event comes later) once the socket closes. */
  onClose: (() => void) | null = null;
  /** Lines already returned by {@link read}. */
  private readCount = 0;

  constructor(
    readonly remoteAddress = "127.0.0.1",
    readonly remotePort = nextPort++,
  ) {}

  write(data: Uint8Array, byteOffset: number, byteLength: number): number {
    if (this.closed) return -1;
    this.buffers.push(data);
    this.offered.push(byteLength);
    const taken = Math.max(0, Math.min(byteLength, this.accept(byteLength)));
    if (taken > 0) this.taken.push(data.slice(byteOffset, byteOffset + taken));
    return taken;
  }

  pause(): void {
    this.pauses++;
    this.paused = true;
  }

  resume(): void {
    this.resumes++;
    this.paused = false;
  }

  shutdown(): void {
    this.shutdowns++;
  }

  end(): void {
    this.ends++;
    this.close();
  }

  terminate(): void {
    this.terminations++;
    this.close();
  }

  /** Its close event has been delivered: writes answer -1, terminate() and end() do nothing more. */
  gone(): void {
    this.closed = true;
  }

  /** Take no bytes from now on (a reader that stopped reading). */
  takeNothing(): void {
    this.accept = () => 0;
  }

  /** Take every byte again. */
  takeAll(): void {
    this.accept = (offered) => offered;
  }

  /** Take `bytes` more in all, over however many writes, then nothing (a kernel buffer filling up). */
  takeUpTo(bytes: number): void {
    let left = bytes;
    this.accept = (offered) => {
      const taken = Math.min(offered, left);
      left -= taken;
      return taken;
    };
  }

  /** How many writes took at least one byte. */
  get writeCount(): number {
    return this.taken.length;
  }

  /** Every byte the peer has read so far, in one array. */
  get bytes(): Uint8Array {
    let length = 0;
    for (const chunk of this.taken) length += chunk.length;
    const all = new Uint8Array(length);
    let at = 0;
    for (const chunk of this.taken) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all;
  }

  /** Everything the peer has read so far (decoded as a whole: a write may end inside a character). */
  get text(): string {
    return decoder.decode(this.bytes);
  }

  /** Every complete line the peer has read so far. */
  lines(): string[] {
    return this.text.split("\n").slice(0, -1);
  }

  /** The complete lines the peer read since the last call. */
  read(): string[] {
    const all = this.lines();
    const fresh = all.slice(this.readCount);
    this.readCount = all.length;
    return fresh;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    const onClose = this.onClose;
    if (onClose !== null) queueMicrotask(onClose);
  }
}

/**
 * The least a member of the room is: a Reader whose socket is a
 * FakeConnection, with a name, a language and an address. For the room and
 * the fan-out on their own, without sessions.
 */
export class FakeMember extends Reader<FakeConnection> implements Member {
  name = "";
  nameKey = "";
  v2 = false;
  /** Set to make its writes throw (a transport's bug). */
  broken: Error | null = null;

  constructor(
    readonly host = "10.0.0.1",
    public lang: Lang = "en",
    v2 = false,
  ) {
    super(new FakeConnection(host));
    this.v2 = v2;
    this.dialect = dialectOf(lang, v2);
  }

  override write(bytes: Uint8Array, offset: number, length: number): number {
    if (this.broken !== null) throw this.broken;
    return super.write(bytes, offset, length);
  }

  /** Its socket. */
  get conn(): FakeConnection {
    return this.sink;
  }

  /** The complete lines it read since the last call. */
  read(): string[] {
    return this.sink.read();
  }
}

/** A Log that keeps every line it is given: info and notes as they are, events as "NAME text". */
export function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    ...silentLog,
    lines,
    info: (text) => lines.push(text),
    note: (text) => lines.push(text),
    event: (peer, text) => lines.push(`${peer.name || peer.address} ${text}`),
  };
}

/** ServerConfig for tests: the defaults, but no name timeout and no flood control unless asked. */
export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return { ...SERVER_DEFAULTS, nameTimeoutMs: 0, rateLimit: 0, ...overrides };
}

/**
 * A server's Context, built by server.ts's own buildContext, without a
 * listener. `clock` stamps history (the Room's own clock parameter;
 * startServer leaves it at Date.now).
 */
export function makeContext(
  overrides: Partial<ServerConfig> = {},
  options: { log?: Log; clock?: () => number } = {},
): Context {
  const config = testConfig(overrides);
  return buildContext(config, options.log ?? silentLog, config.maxClients, options.clock);
}

/**
 * A test file's `setup`: each call makes a Context as {@link makeContext}
 * does. After each test of the file, every Context it made is closed
 * ({@link closeAll}) and timers are real again, so no client, timer or
 * fake clock outlives the test. Call it once, at the top of the file.
 */
export function contextPerTest(): (...args: Parameters<typeof makeContext>) => Context {
  const made: Context[] = [];
  afterEach(() => {
    for (const ctx of made.splice(0)) closeAll(ctx);
    jest.useRealTimers();
  });
  return (...args) => {
    const ctx = makeContext(...args);
    made.push(ctx);
    return ctx;
  };
}

/** One client on a fake connection, with what a transport would call for it. */
export class FakeClient {
  constructor(
    readonly ctx: Context,
    readonly conn: FakeConnection,
    readonly client: Client,
    /** The door let it in. */
    readonly admitted: boolean,
  ) {}

  /** Bytes arrive on the socket (transport's `data`); text is sent as UTF-8. */
  send(data: string | Uint8Array): void {
    input.receive(this.ctx, this.client, typeof data === "string" ? encoder.encode(data) : data);
  }

  /** Each text as one line (a newline appended), all in one read. */
  say(...lines: string[]): void {
    this.send(lines.map((line) => `${line}\n`).join(""));
  }

  /** The peer shut down its sending side (transport's `end`). */
  peerEnds(): void {
    input.peerEnded(this.ctx, this.client);
  }

  /** The socket can take more (transport's `drain`); takes everything from now on unless told otherwise. */
  drain(takeAll = true): void {
    if (takeAll) this.conn.takeAll();
    session.drained(this.ctx, this.client);
  }

  /** The socket closed (transport's `close`), however: from now on it takes nothing and closes no more. */
  closes(error?: Error): void {
    this.conn.gone();
    session.closed(this.ctx, this.client, error);
  }

  /** The lines this client read since the last call (the room's turn delivered first). */
  read(): string[] {
    this.ctx.room.flush();
    return this.conn.read();
  }

  get name(): string {
    return this.client.name;
  }
}

/**
 * Accept a connection the way transport/tcp.ts does: a new Client on a fake
 * connection, then the door (admission/door.ts arrive). Its socket's close
 * reaches lifecycle.closed, as a real one's would.
 */
export function open(
  ctx: Context,
  options: { address?: string; port?: number; lang?: Lang } = {},
): FakeClient {
  const conn = new FakeConnection(options.address ?? "127.0.0.1", options.port);
  const config = options.lang === undefined ? ctx.config : { ...ctx.config, lang: options.lang };
  const client = new Client(conn, config, performance.now());
  conn.onClose = () => session.closed(ctx, client);
  const admitted = arrive(ctx, client);
  return new FakeClient(ctx, conn, client, admitted);
}

let nextHost = 1;

/**
 * A client that joined as `name` from an address of its own, its greeting
 * and welcome already read. (Needs an open room: no room password.)
 */
export function join(
  ctx: Context,
  name: string,
  options: { address?: string; lang?: Lang } = {},
): FakeClient {
  const address = options.address ?? `10.0.${(nextHost >> 8) & 255}.${nextHost++ & 255}`;
  const c = open(ctx, { address, lang: options.lang });
  c.say(name);
  c.read();
  if (c.client.phase !== "joined") throw new Error(`${name} did not join`);
  return c;
}

/** One real event-loop turn: setImmediate callbacks queued before it (fan-out, turns, batches) have run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Close every client's socket (as the transport's close would), and stop
 * the resume grace of members away, so no timer outlives the test.
 */
export function closeAll(ctx: Context): void {
  for (const client of ctx.room.snapshot()) session.closed(ctx, client);
  for (const { client } of ctx.tokens.values()) client.clearTimer();
  ctx.room.close();
}

/**
 * A carrier that carries nothing: it records what the Cluster adapter hands
 * it (batches and the state they write, claims, releases, restores) and lets the test deliver
 * batches from other servers to it, as the Redis stream would.
 */
export class FakeLink implements Link {
  connected = true;
  /** Batches published, as text, in order. */
  readonly published: string[] = [];
  readonly claims: Array<{ key: string; host: string; name: string }> = [];
  readonly released: string[] = [];
  /** The state writes handed with the batches, in order. */
  readonly writes: StateWrite[] = [];
  /** What restore() was given, each time. */
  readonly restored: Array<{ topic: string; bans: Array<readonly [string, string]> }> = [];
  /** What claim() answers (null: Redis could not be asked). */
  claimAnswer: boolean | null = true;
  /** What own() answers: the keys someone else took (null: down again). */
  ownAnswer: string[] | null = [];
  /** The text of the last batch given to close(), once closed. */
  lastBatch: string | null | undefined = undefined;
  /** Whom start() was given: where delivered batches go. */
  events: LinkEvents | null = null;
  private readonly seqs = new Map<string, number>();
  /** The room's log as the stream numbers it: its epoch, and the next position it gives. */
  readonly epoch = "f00d";
  private nextPos = 1;
  /** Resume tokens kept, by id. */
  readonly tokens = new Map<string, string>();
  /** What takeToken() answers. */
  takeAnswer: Taken = null;

  /**
   * @param echo whether this server's own batches come back as the stream
   *   would bring them (at once, with their positions), as a real one does.
   */
  constructor(
    readonly node = "here",
    private readonly echo = true,
  ) {}

  publish(batch: string, _seq: number, writes: readonly StateWrite[], lines = 0): void {
    this.published.push(batch);
    this.writes.push(...writes);
    if (!this.echo || !this.connected || this.events === null) return;
    const pos = { epoch: this.epoch, seq: this.nextPos };
    this.nextPos += lines;
    this.events.entry(batch, Date.now(), pos);
  }

  keepToken(id: string, record: string): void {
    this.tokens.set(id, record);
  }

  dropToken(id: string): void {
    this.tokens.delete(id);
  }

  takeToken(_id: string, _secret: Buffer, _host: string): Promise<Taken> {
    return Promise.resolve(this.takeAnswer);
  }

  /** Takes undone, as [id, record]. */
  readonly untaken: Array<[string, string]> = [];

  untake(id: string, record: string): void {
    this.untaken.push([id, record]);
  }

  claim(key: string, host: string, name: string): Promise<boolean | null> {
    this.claims.push({ key, host, name });
    return Promise.resolve(this.claimAnswer);
  }

  release(key: string): void {
    this.released.push(key);
  }

  own(_claims: ReadonlyArray<{ key: string; host: string; name: string }>) {
    return Promise.resolve(this.ownAnswer);
  }

  restore(topic: string, bans: ReadonlyArray<readonly [string, string]>): void {
    this.restored.push({ topic, bans: [...bans] });
  }

  start(events: LinkEvents): void {
    this.events = events;
  }

  close(last: { batch: string; writes: readonly StateWrite[] } | null): Promise<void> {
    this.lastBatch = last?.batch ?? null;
    if (last !== null) this.writes.push(...last.writes);
    return Promise.resolve();
  }

  /** The published batches, decoded. */
  batches(): Batch[] {
    return this.published.map((text) => {
      const batch = decodeBatch(text);
      if (batch === null) throw new Error(`not a batch: ${text}`);
      return batch;
    });
  }

  /** Every event published so far, in order, over all batches. */
  sent(): Event[] {
    return this.batches().flatMap((batch) => batch[2]);
  }

  /**
   * A batch from server `node` arrives (its next sequence number unless
   * `seq` is given), as read from the stream at `at`.
   */
  deliver(node: string, events: unknown[], options: { seq?: number; at?: number } = {}): void {
    const seq = options.seq ?? (this.seqs.get(node) ?? 0) + 1;
    this.seqs.set(node, seq);
    const pos = { epoch: this.epoch, seq: this.nextPos };
    this.nextPos += (events as Event[]).filter(positioned).length;
    this.deliverText(encodeBatch([node, seq, events as Event[]]), options.at, pos);
  }

  /** Any text arrives as a stream entry (a batch or not), its first line at `pos`. */
  deliverText(text: string, at = Date.now(), pos: Wire | null = null): void {
    if (this.events === null) throw new Error("the link was not started");
    this.events.entry(text, at, pos);
  }
}

/** An empty room to join. */
export const EMPTY_SNAPSHOT: Snapshot = { topic: "", bans: [], members: [], recent: [] };

/**
 * A server of a shared room, wired as startServer does with `shared`: the
 * Cluster adapter on a fake link, restored from `snapshot`, linked as the
 * room's peers, and the link started.
 */
export function makeShared(
  overrides: Partial<ServerConfig> = {},
  options: { snapshot?: Snapshot; node?: string; log?: Log; clock?: () => number } = {},
): { ctx: Context; link: FakeLink; cluster: Cluster } {
  const ctx = makeContext(overrides, options);
  const link = new FakeLink(options.node ?? "here");
  const cluster = new Cluster(ctx, link);
  cluster.restore(options.snapshot ?? EMPTY_SNAPSHOT);
  ctx.room.linkPeers(cluster);
  link.start(cluster);
  return { ctx, link, cluster };
}
