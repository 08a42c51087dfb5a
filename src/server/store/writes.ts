/**
 * What the store's two threads tell each other (sqlite.ts on the server's
 * thread, writer.ts on its own), and the store's tunables. Types and
 * constants only.
 */

export const STORE = {
  /**
   * Bytes of turns that may wait unwritten: posted to the writer and not yet
   * written (a disk slower than the room), or held while writing fails (a
   * full disk). Past it the oldest go, counted, and the operators are told.
   */
  pendingBytes: 16 * 1024 * 1024,
  /** How often failed writes are tried again (ms). */
  retryMs: 5_000,
  /** How often pruning runs (ms), and the next step while more are to go. */
  pruneMs: 1_000,
  pruneAgainMs: 10,
  /** Rows one pruning step deletes at most (about a millisecond). */
  pruneRows: 500,
  /** How long a kept resume token stays good (ms): a member resumes within a day of its last word. */
  tokenLifeMs: 24 * 60 * 60_000,
  /** How long closing waits for the writer to write what waits (ms). */
  closeMs: 2_000,
} as const;

/** To the writer. */
export type WriterIn =
  | { op: "open"; path: string; keepLines: number; keepDays: number; held: number }
  | { op: "turn"; epoch: string; first: number; count: number; at: number; lines: string }
  | { op: "state"; key: string; value: string }
  | { op: "keepToken"; id: string; hash: string; member: string; at: number }
  | { op: "dropToken"; id: string }
  /** Write what waits now, then answer "synced" with `n` (tests, the bench). */
  | { op: "sync"; n: number }
  /** Prune all that is to go now, then answer "synced" with `n` (tests). */
  | { op: "prune"; n: number }
  /** A test's full disk: SQLite's max_page_count on the writer's connection. */
  | { op: "pages"; pages: number }
  | { op: "close" };

/** From the writer. */
export type WriterOut =
  | { op: "wrote"; lines: number; turns: number; ms: number }
  | { op: "failing"; why: string }
  | { op: "pruned"; lines: number }
  | { op: "synced"; n: number }
  | { op: "closed"; waiting: number };
