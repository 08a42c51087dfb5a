/**
 * The members away: their connection is gone, but they may come back
 * (session/resume.ts) and take their place again, keeping their name,
 * their place in the log and the lines kept for them alone. Nobody is told
 * either way. At most as many as the server takes connections, so that
 * connections that join and vanish cannot pile up; a member that comes
 * back is never refused for them (it connects like anyone). The room
 * (room.ts) owns them with its other members; this module holds the set,
 * and how a new connection takes an away member's place.
 */

import type { Member } from "./member.ts";

export class AwayMembers<M extends Member> {
  private readonly members = new Set<M>();

  /** @param max how many may be away at once (--max-clients). */
  constructor(private readonly max: number) {}

  get size(): number {
    return this.members.size;
  }

  /** Whether one more member may be away. */
  get mayHoldOne(): boolean {
    return this.members.size < this.max;
  }

  has(member: M): boolean {
    return this.members.has(member);
  }

  add(member: M): void {
    this.members.add(member);
  }

  /** True if it was away. */
  delete(member: M): boolean {
    return this.members.delete(member);
  }

  values(): SetIterator<M> {
    return this.members.values();
  }
}

/**
 * `conn` (a new connection) takes the place of `old`: its name, id,
 * language, where it joined, and the lines kept for it. What `conn` was
 * already told goes first, then `first` (told through `tell`: the answer
 * to its resume), then what was kept for `old`, by position. Where it
 * reads the room from is the fan-out's (LogFanout.resumeAt). `gapTold`:
 * the answer says what it missed, counted from what it showed, so a
 * missed-lines line still waiting for `old` is stale and left behind.
 */
export function takePlace<M extends Member>(
  old: M,
  conn: M,
  first: readonly string[],
  tell: (line: string) => void,
  gapTold: boolean,
): void {
  conn.name = old.name;
  conn.nameKey = old.nameKey;
  conn.lang = old.lang;
  conn.v2 = old.v2;
  conn.dialect = old.dialect;
  conn.id = old.id;
  conn.since = old.since;
  const kept = old.queue;
  old.queue = null;
  old.queuedBytes = 0;
  old.until = 0;
  for (const line of first) tell(line);
  for (const line of conn.queue ?? []) line.before = 0;
  for (const line of kept ?? []) {
    // The rest of a line cut on the old connection: the log sends the whole line again.
    if (line.rest) continue;
    if (gapTold && line.missed !== undefined) continue;
    // Part of it may have reached the old connection and not the person: all of it again.
    line.off = 0;
    conn.enqueue(line);
  }
}
