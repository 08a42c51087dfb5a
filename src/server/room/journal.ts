/**
 * The room's record, as the room sees it: what it tells whatever keeps the
 * room beyond this process (the SQLite store, store/sqlite.ts). The fan-out
 * tells each turn's lines before it writes any of them to a socket, so that
 * every line a member ever read is in the record; the room tells its topic
 * and bans as they change. Nothing here knows how or where they are kept.
 */

import type { Line } from "./dialects.ts";
import type { ModerationState } from "./moderation.ts";
import type { Moved } from "./peers.ts";

/** One line of a turn, as the record keeps it. */
export interface Recorded {
  readonly line: Line;
  /** When it was said, ms since the epoch. */
  readonly at: number;
}

export interface Journal {
  /** A turn's lines, at positions `first` .. of the log's epoch `epoch`. */
  turn(epoch: string, first: number, lines: readonly Recorded[]): void;
  topic(text: string): void;
  ban(host: string, name: string): void;
  /** The names only an operator may take, all of them (never a password). */
  reserved(names: readonly string[]): void;
  unban(host: string): void;
  /** Who may speak (mutes, slow mode, quiet), all of it. */
  moderation(state: ModerationState): void;
  /** Keep a member's resume token (a hash of its secret), so that it resumes after a restart too. */
  keepToken(id: string, secret: Buffer, member: Moved): void;
  dropToken(id: string): void;
  /** A token kept from before a restart: its member if `secret` is its own (the token spent), else null. */
  takeToken(id: string, secret: Buffer): Moved | null;
}
