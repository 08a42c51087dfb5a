/**
 * Where a room is kept on disk: the data folder (XDG's data home, as the
 * terminal client's input history, but in its own `rooms/` folder), the
 * room's name checked before it becomes a file name, and the files of one
 * room. Pure but for reading the environment it is given.
 */

import { join } from "node:path";

/** A room name: letters, digits, "_", "-" and "." (not first), 1 to 64; it names files and Redis keys. */
const ROOM = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;

/** Null when `name` may name a room, else why not, in one sentence. */
export function roomNameProblem(name: string): string | null {
  if (ROOM.test(name)) return null;
  return `room name "${name.slice(0, 80)}" must be 1 to 64 letters, digits, "_", "-" or "." (not first)`;
}

/**
 * The folder rooms are kept in by default: `$XDG_DATA_HOME/papo/rooms`, or
 * `~/.local/share/papo/rooms` when XDG_DATA_HOME is unset or not absolute
 * (as the XDG base directory spec says).
 */
export function defaultDataDir(env: Record<string, string | undefined>, home: string): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg?.startsWith("/") ? xdg : join(home, ".local", "share");
  return join(base, "papo", "rooms");
}

/** The files of room `room` in `dir`: its database, and the lock a running server holds. */
export function roomFiles(dir: string, room: string): { db: string; lock: string } {
  return { db: join(dir, `${room}.db`), lock: join(dir, `${room}.lock`) };
}
