/**
 * The store's writer: a Worker thread of its own that does every write to
 * the room's database, so that a slow disk (a WAL checkpoint's fsync, a
 * full page cache; measured on this VM: single inserts now and then of 10
 * to 140 ms) never holds the relay. The server's thread posts each turn as
 * it delivers it; this thread writes whatever has come in one transaction,
 * as soon as it can (a turn is on disk milliseconds after its members read
 * it), and says so. A write that fails (a full disk) keeps what waits
 * (the server's thread posts at most STORE.pendingBytes of turns not yet
 * written, and counts what it could not post), says so once, and is tried
 * again every STORE.retryMs. Pruning runs here too, a
 * step at a time. Messages are in {@link WriterIn} and {@link WriterOut}.
 */

import { Database, type Statement } from "bun:sqlite";
import { STORE, type WriterIn, type WriterOut } from "./writes.ts";

declare const self: Worker;

type Turn = Extract<WriterIn, { op: "turn" }>;
type Write =
  | Turn
  | Extract<WriterIn, { op: "state" }>
  | Extract<WriterIn, { op: "keepToken" }>
  | Extract<WriterIn, { op: "dropToken" }>;

let db: Database | null = null;
let insert: Statement | null = null;
let keepLines = 0;
let keepDays = 0;
const queue: Write[] = [];
let failing = false;
let scheduled = false;
let held = 0;
let retryTimer: ReturnType<typeof setInterval> | null = null;
let pruneTimer: ReturnType<typeof setInterval> | null = null;

const post = (message: WriterOut) => postMessage(message);

self.onmessage = (event: MessageEvent<WriterIn>) => {
  const m = event.data;
  switch (m.op) {
    case "open":
      open(m.path, m.keepLines, m.keepDays, m.held);
      break;
    case "turn":
    case "state":
    case "keepToken":
    case "dropToken":
      enqueue(m);
      break;
    case "sync":
      write();
      post({ op: "synced", n: m.n });
      break;
    case "pages":
      db?.run(`PRAGMA max_page_count = ${Math.floor(m.pages)}`);
      break;
    case "prune":
      write();
      while (pruneStep()) {
        // All of it: a test's wish, or the first pass.
      }
      post({ op: "synced", n: m.n });
      break;
    case "close":
      close();
      break;
  }
};

function open(path: string, lines: number, days: number, startHeld: number): void {
  db = new Database(path, { strict: true });
  db.run("PRAGMA busy_timeout = 5000");
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = NORMAL");
  insert = db.prepare(
    "INSERT INTO turns (epoch, first, count, at, lines) VALUES (?1, ?2, ?3, ?4, ?5)",
  );
  keepLines = lines;
  keepDays = days;
  held = startHeld;
  retryTimer = setInterval(write, STORE.retryMs);
  pruneTimer = setInterval(pruneSoon, STORE.pruneMs);
  pruneSoon();
}

function enqueue(w: Write): void {
  // What waits here is bounded by the server's thread: it posts no more than STORE.pendingBytes
  // of turns not yet written (it counts them until this thread says they are).
  queue.push(w);
  if (failing || scheduled) return;
  scheduled = true;
  setTimeout(write, 0);
}

/** Everything that waits, in one transaction. */
function write(): void {
  scheduled = false;
  if (db === null || queue.length === 0) return;
  const started = performance.now();
  const batch = queue.splice(0);
  try {
    (db as Database).transaction(() => {
      for (const w of batch) apply(w);
    })();
  } catch (error) {
    queue.unshift(...batch);
    if (!failing) post({ op: "failing", why: reason(error) });
    failing = true;
    return;
  }
  let lines = 0;
  let turns = 0;
  for (const w of batch) {
    if (w.op !== "turn") continue;
    lines += w.count;
    turns++;
  }
  held += lines;
  // A write that worked after failing ones: the server's thread hears it is back from this.
  failing = false;
  post({ op: "wrote", lines, turns, ms: performance.now() - started });
}

function apply(w: Write): void {
  const d = db as Database;
  switch (w.op) {
    case "turn":
      (insert as Statement).run(w.epoch, w.first, w.count, w.at, w.lines);
      break;
    case "state":
      d.query("INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)").run(w.key, w.value);
      break;
    case "keepToken":
      d.query("INSERT OR REPLACE INTO tokens (id, hash, member, at) VALUES (?1, ?2, ?3, ?4)").run(
        w.id,
        w.hash,
        w.member,
        w.at,
      );
      break;
    case "dropToken":
      d.query("DELETE FROM tokens WHERE id = ?1").run(w.id);
      break;
  }
}

/**
 * One pruning step: at most STORE.pruneRows of the oldest rows; true when
 * more are to go. A turn goes whole, and only while at least --keep-lines stay.
 */
function pruneStep(): boolean {
  if (db === null) return false;
  const now = Date.now();
  try {
    db.query("DELETE FROM tokens WHERE at < ?1").run(now - STORE.tokenLifeMs);
    const oldest = db
      .query("SELECT id, count, at FROM turns ORDER BY id LIMIT ?1")
      .all(STORE.pruneRows) as Array<{ id: number; count: number; at: number }>;
    let drop = 0;
    let dropped = 0;
    let over = held - keepLines;
    let rows = 0;
    for (const row of oldest) {
      const old = keepDays > 0 && row.at < now - keepDays * 86_400_000;
      if (over < row.count && !old) break;
      over -= row.count;
      dropped += row.count;
      drop = row.id;
      rows++;
    }
    if (drop === 0) return false;
    db.query("DELETE FROM turns WHERE id <= ?1").run(drop);
    held -= dropped;
    post({ op: "pruned", lines: dropped });
    return rows === oldest.length;
  } catch {
    // Tried again at the next tick; a write's failure is what the operators hear of.
    return false;
  }
}

function pruneSoon(): void {
  if (pruneStep()) setTimeout(pruneSoon, STORE.pruneAgainMs);
}

function close(): void {
  if (retryTimer !== null) clearInterval(retryTimer);
  if (pruneTimer !== null) clearInterval(pruneTimer);
  write();
  try {
    db?.query("DELETE FROM state WHERE key = 'owner'").run();
    db?.close();
  } catch {
    // Closing anyway.
  }
  db = null;
  post({ op: "closed", waiting: queue.length });
}

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code === "SQLITE_FULL") return "the disk is full";
  if (e.code === "SQLITE_READONLY" || e.code === "SQLITE_CANTOPEN") return "permission denied";
  return e.message ?? String(error);
}
