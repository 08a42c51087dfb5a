/**
 * A room's log read back for its transcript (transcript.ts), from where it
 * is kept: the room's SQLite database, read-only and beside a running
 * server (the server locks only its lock file, and WAL lets a reader in
 * while it writes), or a shared room's Redis stream (XRANGE, a page at a
 * time). Failures are ReadErrors: a code, and one sentence.
 */

import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { RedisClient } from "bun";
import { redacted } from "../cluster/redis.ts";
import { type Entry, keysOf, toEntries } from "../cluster/redis-keys.ts";
import { decodeLines, type StoredLine } from "./rows.ts";
import { SCHEMA_VERSION } from "./sqlite.ts";
import { cleanText, linesOfStream, type Range, within } from "./transcript.ts";

export const READ = {
  /** Stream entries one XRANGE asks for. */
  pageEntries: 1_000,
  /** How long reaching Redis may take (ms). */
  connectMs: 5_000,
  /** How long the database may stay busy (a checkpoint) before reading gives up (ms). */
  busyMs: 2_000,
} as const;

/** Why a log could not be read: ENOENT (no such room), EREAD (anything else). */
export class ReadError extends Error {
  override readonly name = "ReadError";
  constructor(
    readonly code: "ENOENT" | "EREAD",
    message: string,
  ) {
    super(message);
  }
}

/**
 * The lines kept in the database at `path`, said within `range`, oldest
 * first. Opens it read-only: it never writes, never waits for the server's
 * lock, and works whether a server runs on it or not.
 */
export function readStore(path: string, range: Range): StoredLine[] {
  if (!existsSync(path)) throw new ReadError("ENOENT", `there is no ${path}`);
  let db: Database;
  try {
    db = new Database(path, { readonly: true });
  } catch (error) {
    throw new ReadError("EREAD", `cannot read ${path}: ${why(error)}`);
  }
  try {
    db.run(`PRAGMA busy_timeout = ${READ.busyMs}`);
    const { user_version: version } = db.query("PRAGMA user_version").get() as {
      user_version: number;
    };
    if (version > SCHEMA_VERSION) {
      throw new ReadError(
        "EREAD",
        `${path} was written by a newer papo (schema ${version}, this one reads ${SCHEMA_VERSION})`,
      );
    }
    // A turn's `at` is its last line's: every turn with a line from `from` on is one of these.
    const rows = db
      .query("SELECT lines FROM turns WHERE at >= ?1 ORDER BY id")
      .all(Number.isFinite(range.from) ? range.from : 0) as Array<{ lines: string }>;
    const out: StoredLine[] = [];
    for (const row of rows) {
      for (const line of decodeLines(row.lines) ?? []) {
        if (line.at >= range.from && line.at < range.to) out.push(clean(line));
      }
    }
    return out;
  } catch (error) {
    if (error instanceof ReadError) throw error;
    throw new ReadError("EREAD", `cannot read ${path}: ${why(error)}`);
  } finally {
    db.close();
  }
}

/**
 * The lines of shared room `room`'s stream on the Redis at `url`, said
 * within `range` (by Redis's clock, the entries' ids), oldest first.
 */
export async function readStream(url: string, room: string, range: Range): Promise<StoredLine[]> {
  const client = new RedisClient(url, {
    autoReconnect: false,
    enableOfflineQueue: false,
    connectionTimeout: READ.connectMs,
  });
  try {
    await client.connect();
  } catch (error) {
    client.close();
    throw new ReadError("EREAD", `cannot reach Redis at ${redacted(url)}: ${why(error)}`);
  }
  try {
    const key = keysOf(room, "export").log;
    if (Number(await client.send("EXISTS", [key])) === 0) {
      throw new ReadError("ENOENT", `Redis at ${redacted(url)} has no ${key}`);
    }
    const entries: Entry[] = [];
    let start = Number.isFinite(range.from) ? String(range.from) : "-";
    // Stream ids are "ms-n": "to - 1" is the last id of the millisecond before `to`.
    const end = Number.isFinite(range.to) ? String(range.to - 1) : "+";
    for (;;) {
      const reply = await client.send("XRANGE", [
        key,
        start,
        end,
        "COUNT",
        String(READ.pageEntries),
      ]);
      const page = toEntries(reply);
      entries.push(...page);
      const last = page.at(-1);
      if (last === undefined || page.length < READ.pageEntries) break;
      start = `(${last.id}`;
    }
    return within(linesOfStream(entries), range);
  } catch (error) {
    if (error instanceof ReadError) throw error;
    throw new ReadError("EREAD", `cannot read ${room}'s stream on ${redacted(url)}: ${why(error)}`);
  } finally {
    client.close();
  }
}

/** A line as the database kept it, with anything a terminal would act on taken out. */
function clean(line: StoredLine): StoredLine {
  const text = cleanText(line.text);
  return text === line.text ? line : { ...line, text };
}

function why(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code === "SQLITE_NOTADB" || e.code === "SQLITE_CORRUPT") return "it is not a papo database";
  if (e.code === "SQLITE_CANTOPEN" || e.code === "EACCES") return "permission denied";
  if (/no such table/.test(e.message ?? "")) return "it is not a papo database";
  return e.message ?? String(error);
}
