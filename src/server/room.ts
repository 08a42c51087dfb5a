/**
 * The room: the one owner of who is connected and who is in the room. Only
 * this module adds, removes and iterates clients; the fan-out reads the member
 * sets when it delivers a turn and reports slow readers back here, so nothing
 * is ever removed in the middle of an iteration. It also keeps what the room
 * itself remembers: its topic and its last lines (history).
 */

import { LANGS, type Lang } from "../protocol/lang.ts";
import { type Notice, say } from "../protocol/messages.ts";
import { nameKey } from "../protocol/names.ts";
import type { Fanout, Line, TurnReport } from "./fanout.ts";
import { LanguageFanout, type Reader } from "./languages.ts";
import { type Backlogged, Pacer, type Watermarks } from "./pacer.ts";

/** A connection as the room sees it. */
export interface Member extends Reader, Backlogged {
  name: string;
  lang: Lang;
}

export interface RoomLimits {
  /** Connections accepted at once, named or not. */
  maxClients: number;
  /** Join/leave notices only while the room has at most this many members. */
  announceMax: number;
  /** Backlog marks for pacing: behind over `low`, near its cap over `high`. */
  watermarks: Watermarks;
  /** Bytes one turn gathers before further input waits for the next turn. */
  turnBytes: number;
  /** Lines the room remembers for newcomers; 0 remembers none. */
  historyLines: number;
}

/** What the room asks of whoever owns the connections. */
export interface RoomHooks<M> {
  /** These connections' backlogs passed the cap: cut them (they may still be members). */
  evict(slow: readonly M[]): void;
  /** Stop taking input from this sender until resume: the room's readers are behind. */
  pause(member: M): void;
  resume(member: M): void;
}

/** How a member leaves, which decides what the others are told. */
export type Leaving =
  /** On its own (quit, closed): "* NAME left", with its /quit reason if any. */
  | { kind: "left"; reason?: string }
  /** Evicted: "* NAME left (too slow)". */
  | { kind: "slow" }
  /** Removed by an operator: the notice goes to everyone, however big the room. */
  | { kind: "removed"; notice: Notice }
  /** Nobody is told (shutdown, where everyone leaves at once). */
  | { kind: "quietly" };

/** One remembered line: what was said, and when (ms since the epoch). */
export interface Said {
  readonly at: number;
  readonly line: string;
}

export type Rename = "ok" | "taken";

export class Room<M extends Member> {
  private readonly connections = new Set<M>();
  private readonly members = new Set<M>();
  /** How many members read each language. */
  private readonly readers = {} as Record<Lang, number>;
  private readonly byName = new Map<string, M>();
  private readonly pacer: Pacer<M>;
  /** The last lines, oldest first, at most limits.historyLines. */
  private readonly said: Said[] = [];
  readonly fanout: Fanout<M>;
  /** Set by an operator with /topic; "" when there is none. */
  topic = "";

  constructor(
    private readonly limits: RoomLimits,
    private readonly hooks: RoomHooks<M>,
    private readonly clock: () => number = Date.now,
  ) {
    for (const lang of LANGS) this.readers[lang] = 0;
    this.pacer = new Pacer<M>(limits.watermarks, {
      pause: (m) => hooks.pause(m),
      resume: (m) => hooks.resume(m),
      members: () => this.members.size,
    });
    this.fanout = new LanguageFanout(
      this.members,
      this.readers,
      (turn) => this.delivered(turn),
      limits.turnBytes,
    );
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  get memberCount(): number {
    return this.members.size;
  }

  /** Register a new connection; false when the server is full. */
  accept(conn: M): boolean {
    if (this.connections.size >= this.limits.maxClients) return false;
    this.connections.add(conn);
    return true;
  }

  /** Whether `member` must wait before saying more, because most readers are behind. */
  mustWait(member: M): boolean {
    return this.members.has(member) && this.pacer.hold(member);
  }

  /** A connection's backlog shrank: it may have caught up with the room. */
  drained(conn: M): void {
    this.pacer.drained(conn);
  }

  /** The server is stopping: no more pacing timers. */
  close(): void {
    this.pacer.close();
  }

  /** Forget a connection for good (its socket closed). Leaves the room first if needed. */
  drop(conn: M): void {
    this.leave(conn);
    this.connections.delete(conn);
    this.pacer.forget(conn);
  }

  /** Whether a (valid) name is free; `self` may keep its own name in another case. */
  isFree(name: string, self?: M): boolean {
    const holder = this.byName.get(nameKey(name));
    return holder === undefined || holder === self;
  }

  /**
   * Add a named connection to the room and tell the others; false if the
   * name is taken. From now on the member gets every line queued after this.
   */
  join(conn: M, name: string): boolean {
    if (!this.isFree(name)) return false;
    conn.name = name;
    this.byName.set(nameKey(name), conn);
    this.members.add(conn);
    this.readers[conn.lang]++;
    this.fanout.admit(conn);
    if (this.members.size <= this.limits.announceMax) this.fanout.toAll(say("joined", name), conn);
    return true;
  }

  /**
   * Take a member out of the room and tell the others as `how` says, exactly
   * once however often it is called.
   */
  leave(conn: M, how: Leaving = { kind: "left" }): void {
    if (!this.members.has(conn)) return;
    const crowded = this.members.size > this.limits.announceMax;
    this.fanout.release(conn);
    this.members.delete(conn);
    this.readers[conn.lang]--;
    this.byName.delete(nameKey(conn.name));
    this.pacer.forget(conn);
    if (how.kind === "removed") this.fanout.toAll(how.notice);
    else if (crowded || how.kind === "quietly") return;
    else if (how.kind === "slow") this.fanout.toAll(say("leftTooSlow", conn.name));
    else this.fanout.toAll(say("left", conn.name, how.reason));
  }

  rename(conn: M, name: string): Rename {
    if (!this.isFree(name, conn)) return "taken";
    const old = conn.name;
    this.byName.delete(nameKey(old));
    conn.name = name;
    this.byName.set(nameKey(name), conn);
    this.fanout.toAll(say("renamed", old, name));
    return "ok";
  }

  /** A member's own line (chat or action) for everyone else, remembered for newcomers. */
  say(from: M, line: string): void {
    this.remember(line);
    this.fanout.toAll(line, from);
  }

  /** A line for everyone (a notice), not remembered. */
  announce(line: Line): void {
    this.fanout.toAll(line);
  }

  /** The remembered lines, oldest first. */
  history(): readonly Said[] {
    return this.said;
  }

  /**
   * Switch the language a connection reads. A member first gets what it is
   * owed in the old one, then everything from now on in the new one.
   */
  setLang(conn: M, lang: Lang): void {
    if (conn.lang === lang) return;
    this.fanout.release(conn);
    if (!this.members.has(conn)) {
      conn.lang = lang;
      return;
    }
    this.readers[conn.lang]--;
    conn.lang = lang;
    this.readers[lang]++;
    this.fanout.admit(conn);
  }

  /** The member called `name` (any case, any look-alike spelling). */
  find(name: string): M | undefined {
    return this.byName.get(nameKey(name));
  }

  /** Up to `max` member names, in joining order. */
  names(max = Number.POSITIVE_INFINITY): string[] {
    const out: string[] = [];
    for (const m of this.members) {
      if (out.length >= max) break;
      out.push(m.name);
    }
    return out;
  }

  /** Every open connection, copied so the caller may close them while looping. */
  snapshot(): M[] {
    return [...this.connections];
  }

  /**
   * A delivered turn: cut the readers past the cap, then pace the senders.
   * Only members pace or are paced: a connection still choosing a name (or
   * one the evictions just removed) must neither hold the room nor be
   * remembered by the pacer once it is gone.
   */
  private delivered(turn: TurnReport<M>): void {
    if (turn.slow.length > 0) this.hooks.evict(turn.slow);
    const inRoom = (m: M) => this.members.has(m);
    const queued = turn.queued.every(inRoom) ? turn.queued : turn.queued.filter(inRoom);
    const senders = turn.senders.every(inRoom) ? turn.senders : turn.senders.filter(inRoom);
    this.pacer.turn(queued, senders);
  }

  private remember(line: string): void {
    const max = this.limits.historyLines;
    if (max <= 0) return;
    // NOTE: shift() on a short array; at the default 50 lines a ring buys nothing.
    if (this.said.length >= max) this.said.shift();
    this.said.push({ at: this.clock(), line });
  }
}
