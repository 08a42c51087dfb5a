/**
 * The room kept on disk: an embedded SQLite database (bun:sqlite, WAL mode),
 * one per room, the only module that touches it. It keeps the room's log,
 * turn by turn (one row per event-loop turn that said anything: one write
 * per turn, however many lines), and the room's state (topic, bans).
 *
 * Every server run has its own epoch, so a position is never reused, even
 * after a crash: the rows keep the epoch and positions their lines had, and
 * a restarted server loads the newest of them into its log's window with
 * those positions, so papo's clients resume across the restart from where
 * they were (room/log.ts, WirePositions).
 *
 * A running server holds a lock (an exclusive lock on a second, tiny
 * database beside it, released by the system when the process dies), so a
 * second server for the same room and folder refuses to start; readers (the
 * export tool) read the database while the server runs.
 *
 * Writing never stops the relay: a failed write (a full disk) keeps the
 * turn in a bounded queue, tells the owner once, and is tried again.
 * Pruning (--keep-lines, --keep-days) deletes a few rows at a time.
 */

import { Database } from "bun:sqlite";
import { createHash, timingSafeEqual } from "node:crypto";
import { mkdirSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { LANGS, type Lang } from "../../protocol/lang.ts";
import { checkName } from "../../protocol/names.ts";
import { addressKey } from "../admission/addresses.ts";
import type { Journal, Recorded } from "../room/journal.ts";
import { type ModerationState, readModeration } from "../room/moderation.ts";
import type { Moved } from "../room/peers.ts";
import { roomFiles } from "./place.ts";
import { decodeLines, encodeLines, type StoredTurn } from "./rows.ts";
import { STORE, type WriterIn, type WriterOut } from "./writes.ts";

export { STORE };

/** The schema's version (PRAGMA user_version): a database from a newer papo is refused. */
export const SCHEMA_VERSION = 1;

/** What the store hands a starting server. */
export interface Kept {
  /** The newest turns, oldest first, at most `lines` lines of them. */
  readonly turns: StoredTurn[];
  readonly topic: string;
  readonly bans: Array<[host: string, name: string]>;
  /** Names only an operator may take. */
  readonly reserved: string[];
  /** Who may speak (mutes, slow mode, quiet); null when none was kept. */
  readonly moderation: ModerationState | null;
  /** Lines the store holds in all. */
  readonly lines: number;
}

/** A store that cannot be opened, in one sentence for the operator. */
export class StoreError extends Error {
  override readonly name = "StoreError";
}

/** What the store tells its owner (the server): trouble writing, and its end. */
export interface StoreEvents {
  /** Writing failed (first time since it last worked): `why` in a few words. */
  failing(why: string): void;
  /** Writing works again; `lost` turns were dropped meanwhile (the queue's bound). */
  recovered(lost: number): void;
}

export interface StoreOptions {
  /** Bytes of turns that may wait unwritten (STORE.pendingBytes unless given: tests give less). */
  pendingBytes?: number;
  keepLines: number;
  /** Days a line is kept; 0 keeps lines whatever their age. */
  keepDays: number;
  now?: () => number;
}

/** What a turn's message costs besides its text (the object, its fields, the structured clone). */
const MESSAGE_BYTES = 256;

export class RoomStore implements Journal {
  /** Lines held, as the writer last said (written, less pruned), plus those posted since. */
  private held: number;
  /** Bytes of turns posted to the writer and not yet written (its acks bring it down). */
  private inFlight = 0;
  /** Sizes of the turns in flight, oldest first, to take off `inFlight` as they are written. */
  private readonly flying: number[] = [];
  /** Turns dropped here because the writer fell too far behind, not yet told. */
  private dropped = 0;
  private failingNow = false;
  private events: StoreEvents | null = null;
  private readonly bans = new Map<string, string>();
  /** Tokens spent here whose deletion the writer has not done yet. */
  private readonly spent = new Set<string>();
  private readonly writer: Worker;
  private syncs = 0;
  private readonly waiting = new Map<number, () => void>();
  private closed: Promise<void> | null = null;
  private onClosed: (() => void) | null = null;
  /** The longest one write of the writer took (ms), and how many writes: for the bench. */
  longestWriteMs = 0;
  writes = 0;
  /** Every write's time together (ms), for the metrics. */
  writeMsTotal = 0;
  /** Each write's time (ms), the newest 10,000, for the bench. */
  readonly writeMs: number[] = [];

  /** The server stops: tokens are no longer dropped (their members come back after the restart). */
  private tokensKept = false;

  private constructor(
    readonly path: string,
    private readonly db: Database,
    /** Held open for the server's life: its exclusive lock says the room is in use. */
    private readonly lock: Database,
    private readonly options: StoreOptions,
    held: number,
  ) {
    this.held = held;
    this.writer = new Worker(writerUrl());
    this.writer.onmessage = (event: MessageEvent<WriterOut>) => this.heard(event.data);
    this.post({
      op: "open",
      path,
      keepLines: options.keepLines,
      keepDays: options.keepDays,
      held: this.held,
    });
  }

  /**
   * Open (or create) room `room`'s database in `dir`. Throws StoreError,
   * one sentence, when the folder cannot be made or written, another server
   * holds the room, or the database is not one papo can read.
   */
  static open(dir: string, room: string, options: StoreOptions): RoomStore {
    const files = roomFiles(dir, room);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new StoreError(`cannot create the data folder ${dir}: ${reason(error)}`);
    }
    const lock = takeLock(files.lock, files.db, room, dir);
    let db: Database;
    let held = 0;
    try {
      db = new Database(files.db, { create: true, strict: true });
      // First: a server that just stopped may still be closing the file (its last checkpoint).
      db.run("PRAGMA busy_timeout = 5000");
      db.run("PRAGMA journal_mode = WAL");
      db.run("PRAGMA synchronous = NORMAL");
      const version = (db.query("PRAGMA user_version").get() as { user_version: number })
        .user_version;
      const tables = db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all();
      if (version === 0 && tables.length > 0) {
        throw new StoreError(`cannot use ${files.db}: it is not a papo database`);
      }
      if (version > SCHEMA_VERSION) {
        throw new StoreError(
          `${files.db} was written by a newer papo (schema ${version}, this one reads ${SCHEMA_VERSION}): run that papo, or give this one another --data`,
        );
      }
      db.run(`CREATE TABLE IF NOT EXISTS turns (
        id INTEGER PRIMARY KEY,
        epoch TEXT NOT NULL,
        first INTEGER NOT NULL,
        count INTEGER NOT NULL,
        at INTEGER NOT NULL,
        lines TEXT NOT NULL)`);
      db.run(
        "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
      );
      db.run(`CREATE TABLE IF NOT EXISTS tokens (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL,
        member TEXT NOT NULL,
        at INTEGER NOT NULL) WITHOUT ROWID`);
      db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      const owner = JSON.stringify({ pid: process.pid, host: hostname(), since: Date.now() });
      db.query("INSERT OR REPLACE INTO state (key, value) VALUES ('owner', ?1)").run(owner);
      const row = db.query("SELECT COALESCE(SUM(count), 0) AS n FROM turns").get() as {
        n: number;
      };
      held = row.n;
    } catch (error) {
      lock.close();
      if (error instanceof StoreError) throw error;
      throw new StoreError(`cannot use ${files.db}: ${reason(error)}`);
    }
    return new RoomStore(files.db, db, lock, options, held);
  }

  /** What the room had: its newest turns (at most `lines` lines), topic and bans. */
  load(lines: number): Kept {
    const turns: StoredTurn[] = [];
    let count = 0;
    if (lines > 0) {
      const rows = this.db
        .query("SELECT epoch, first, count, lines FROM turns ORDER BY id DESC")
        .iterate() as IterableIterator<{
        epoch: string;
        first: number;
        count: number;
        lines: string;
      }>;
      for (const row of rows) {
        if (count + row.count > lines && count > 0) break;
        const decoded = decodeLines(row.lines);
        if (decoded === null) continue;
        turns.push({ epoch: row.epoch, first: row.first, lines: decoded });
        count += row.count;
      }
      turns.reverse();
    }
    const topic = this.state("topic");
    const bans = parseBans(this.state("bans"));
    for (const [host, name] of bans) this.bans.set(host, name);
    const reserved = parseNames(this.state("reserved"));
    const moderation = readModeration(parseJson(this.state("moderation")));
    return { turns, topic: topic ?? "", bans, reserved, moderation, lines: this.held };
  }

  /** `events` hears of trouble writing from now on. */
  start(events: StoreEvents): void {
    this.events = events;
  }

  /** Lines the store holds (those on their way to the disk included). */
  get lines(): number {
    return this.held;
  }

  /**
   * A turn's lines: encoded here, written by the writer thread a moment
   * later (this thread never waits for the disk). Past STORE.pendingBytes
   * in flight (a disk slower than the room) a turn is dropped, counted.
   */
  turn(epoch: string, first: number, lines: readonly Recorded[]): void {
    const text = encodeLines(lines);
    // What a turn holds on its way: its text, and the message around it.
    const size = text.length + MESSAGE_BYTES;
    if (this.inFlight + size > (this.options.pendingBytes ?? STORE.pendingBytes)) {
      this.dropped++;
      this.fail(this.failingWhy ?? "the disk is slower than the room");
      return;
    }
    this.inFlight += size;
    this.flying.push(size);
    this.held += lines.length;
    const at = lines.at(-1)?.at ?? Date.now();
    this.post({ op: "turn", epoch, first, count: lines.length, at, lines: text });
  }

  topic(text: string): void {
    this.post({ op: "state", key: "topic", value: text });
  }

  reserved(names: readonly string[]): void {
    this.post({ op: "state", key: "reserved", value: JSON.stringify(names) });
  }

  moderation(state: ModerationState): void {
    this.post({ op: "state", key: "moderation", value: JSON.stringify(state) });
  }

  ban(host: string, name: string): void {
    this.bans.set(addressKey(host), name);
    this.post({ op: "state", key: "bans", value: JSON.stringify([...this.bans]) });
  }

  unban(host: string): void {
    if (!this.bans.delete(addressKey(host))) return;
    this.post({ op: "state", key: "bans", value: JSON.stringify([...this.bans]) });
  }

  keepToken(id: string, secret: Buffer, member: Moved): void {
    const about = JSON.stringify({
      id: member.id,
      name: member.name,
      op: member.operator,
      lang: member.lang,
      host: member.host,
    });
    const at = (this.options.now ?? Date.now)();
    this.spent.delete(id);
    this.post({ op: "keepToken", id, hash: hashOf(secret), member: about, at });
  }

  dropToken(id: string): void {
    this.spent.add(id);
    if (!this.tokensKept) this.post({ op: "dropToken", id });
  }

  /** The server stops: its members leave, but their tokens stay, to resume after the restart. */
  keepTokens(): void {
    this.tokensKept = true;
  }

  /** A token from before a restart: read here, spent at once (the writer deletes it). */
  takeToken(id: string, secret: Buffer): Moved | null {
    if (this.spent.has(id)) return null;
    const now = (this.options.now ?? Date.now)();
    const row = this.db.query("SELECT hash, member, at FROM tokens WHERE id = ?1").get(id) as {
      hash: string;
      member: string;
      at: number;
    } | null;
    if (row === null || now - row.at > STORE.tokenLifeMs) return null;
    const given = Buffer.from(hashOf(secret), "hex");
    const kept = Buffer.from(row.hash, "hex");
    if (given.length !== kept.length || !timingSafeEqual(given, kept)) return null;
    this.dropToken(id);
    return memberOf(row.member);
  }

  /** Resolves once the writer has written (or tried) everything posted before it. */
  flushed(): Promise<void> {
    return this.ask((n) => ({ op: "sync", n }));
  }

  /** Delete now all that is past --keep-lines or --keep-days (tests; the writer prunes on its own). */
  prune(): Promise<void> {
    return this.ask((n) => ({ op: "prune", n }));
  }

  /** For tests: a disk that holds only this many pages of the database (a full disk). */
  limitPages(pages: number): void {
    this.post({ op: "pages", pages });
  }

  /** For tests: the database's size in pages now. */
  pages(): number {
    return (this.db.query("PRAGMA page_count").get() as { page_count: number }).page_count;
  }

  /** The writer writes what waits, then stops; the database and the lock are let go. */
  close(): Promise<void> {
    if (this.closed !== null) return this.closed;
    this.closed = new Promise<void>((resolve) => {
      const done = () => {
        this.writer.terminate();
        this.db.close();
        this.lock.close();
        resolve();
      };
      const timer = setTimeout(done, STORE.closeMs);
      this.onClosed = () => {
        clearTimeout(timer);
        done();
      };
      this.post({ op: "close" });
    });
    return this.closed;
  }

  private post(message: WriterIn): void {
    if (this.closed !== null && message.op !== "close") return;
    this.writer.postMessage(message);
  }

  private ask(message: (n: number) => WriterIn): Promise<void> {
    if (this.closed !== null) return this.closed;
    const n = ++this.syncs;
    return new Promise((resolve) => {
      this.waiting.set(n, resolve);
      this.post(message(n));
    });
  }

  private heard(m: WriterOut): void {
    switch (m.op) {
      case "wrote": {
        for (let i = 0; i < m.turns; i++) this.inFlight -= this.flying.shift() ?? 0;
        this.writes++;
        this.writeMsTotal += m.ms;
        if (m.ms > this.longestWriteMs) this.longestWriteMs = m.ms;
        this.writeMs.push(m.ms);
        if (this.writeMs.length > 10_000) this.writeMs.shift();
        // Writing works (again): what could not wait meanwhile is told.
        this.recover();
        break;
      }
      case "failing":
        this.failingWhy = m.why;
        this.fail(m.why);
        break;
      case "pruned":
        this.held -= m.lines;
        break;
      case "synced":
        this.waiting.get(m.n)?.();
        this.waiting.delete(m.n);
        break;
      case "closed":
        this.onClosed?.();
        break;
    }
  }

  /** Why the writer last failed, while it does. */
  private failingWhy: string | null = null;

  private fail(why: string): void {
    if (this.failingNow) return;
    this.failingNow = true;
    this.events?.failing(why);
  }

  private recover(): void {
    if (!this.failingNow) return;
    this.failingNow = false;
    this.failingWhy = null;
    this.events?.recovered(this.dropped);
    this.dropped = 0;
  }

  private state(key: string): string | null {
    const row = this.db.query("SELECT value FROM state WHERE key = ?1").get(key) as {
      value: string;
    } | null;
    return row?.value ?? null;
  }
}

/**
 * The writer thread's module. In the one-file papo (scripts/build.ts lists
 * writer.ts as an entry point of its own) every entry point is inside the
 * executable at its path from src/, beside the executable's own name, which
 * is what import.meta.url names there: not this file.
 */
function writerUrl(): string {
  if (!Bun.isStandaloneExecutable) return new URL("./writer.ts", import.meta.url).href;
  return join(dirname(Bun.main), "server", "store", "writer.ts");
}

/**
 * The lock that says a server keeps this room: an exclusive lock on a tiny
 * database beside it, held while the process lives (the system lets go of
 * it when the process dies, even by kill -9).
 */
function takeLock(path: string, dbPath: string, room: string, dir: string): Database {
  let lock: Database;
  try {
    lock = new Database(path, { create: true });
    lock.run("PRAGMA locking_mode = EXCLUSIVE");
    lock.run("BEGIN EXCLUSIVE");
    lock.run("COMMIT");
    return lock;
  } catch (error) {
    if ((error as { code?: string }).code !== "SQLITE_BUSY") {
      throw new StoreError(`cannot write in the data folder ${dir}: ${reason(error)}`);
    }
  }
  throw new StoreError(
    `room ${room} in ${dir} is kept by another papo server (${owner(dbPath)}): give this one another --room or --data`,
  );
}

/** Who holds a room, as the database says ("pid 123 on host, since 12:00"), read without locking. */
function owner(dbPath: string): string {
  try {
    const db = new Database(dbPath, { readonly: true });
    const row = db.query("SELECT value FROM state WHERE key = 'owner'").get() as {
      value: string;
    } | null;
    db.close();
    const o = JSON.parse(row?.value ?? "{}") as { pid?: number; host?: string; since?: number };
    const since = o.since === undefined ? "" : `, since ${new Date(o.since).toLocaleString()}`;
    return `pid ${o.pid ?? "?"} on ${o.host ?? "?"}${since}`;
  } catch {
    return "its process could not be read";
  }
}

/** What is kept of a secret: its SHA-256 (the secret itself is never written). */
function hashOf(secret: Buffer): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** A kept token's member read back, checked; null when it is not one. */
function memberOf(text: string): Moved | null {
  try {
    const m = JSON.parse(text) as Record<string, unknown>;
    const name = typeof m.name === "string" ? m.name : "";
    const check = checkName(name);
    if (!check.ok || check.name !== name || typeof m.op !== "boolean") return null;
    if (!Number.isSafeInteger(m.id) || !LANGS.includes(m.lang as Lang)) return null;
    const host = typeof m.host === "string" ? m.host : "";
    return { node: "", id: m.id as number, name, operator: m.op, lang: m.lang as Lang, host };
  } catch {
    return null;
  }
}

/** The value `text` holds, or null when it holds none (or is not JSON). */
function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function parseNames(text: string | null): string[] {
  if (text === null) return [];
  try {
    const value = JSON.parse(text) as unknown;
    if (!Array.isArray(value)) return [];
    return value.filter((n): n is string => typeof n === "string" && checkName(n).ok);
  } catch {
    return [];
  }
}

function parseBans(text: string | null): Array<[string, string]> {
  if (text === null) return [];
  try {
    const value = JSON.parse(text) as unknown;
    if (!Array.isArray(value)) return [];
    return value.filter(
      (b): b is [string, string] =>
        Array.isArray(b) && typeof b[0] === "string" && typeof b[1] === "string",
    );
  } catch {
    return [];
  }
}

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code === "SQLITE_FULL") return "the disk is full";
  if (e.code === "SQLITE_NOTADB" || e.code === "SQLITE_CORRUPT")
    return "it is not a papo database (corrupt?)";
  if (e.code === "EACCES" || e.code === "SQLITE_CANTOPEN" || e.code === "SQLITE_READONLY")
    return "permission denied";
  return e.message ?? String(error);
}

/** Only for the file's size in reports: bytes of the database and its WAL. */
export function storeBytes(path: string): number {
  let bytes = 0;
  for (const file of [path, `${path}-wal`]) {
    try {
      bytes += statSync(file).size;
    } catch {
      // Not there.
    }
  }
  return bytes;
}
