/**
 * The room: the one owner of who is connected and who is in the room. Only
 * this module adds, removes and iterates clients; the fan-out reads the member
 * set when it delivers a turn and reports slow readers back here, so nothing
 * is ever removed in the middle of an iteration.
 */

import { PROTOCOL } from "../config.ts";
import { server as say } from "../protocol/messages.ts";
import { nameKey } from "../protocol/names.ts";
import { type Fanout, LocalFanout, type Recipient, type TurnReport } from "./fanout.ts";
import { type Backlogged, Pacer, type Watermarks } from "./pacer.ts";

/** A connection as the room sees it. */
export interface Member extends Recipient, Backlogged {
  name: string;
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
}

/** What the room asks of whoever owns the connections. */
export interface RoomHooks<M> {
  /** These connections' backlogs passed the cap: cut them (they may still be members). */
  evict(slow: readonly M[]): void;
  /** Stop taking input from this sender until resume: the room's readers are behind. */
  pause(member: M): void;
  resume(member: M): void;
}

export type Rename = "ok" | "taken";

export class Room<M extends Member> {
  private readonly connections = new Set<M>();
  private readonly members = new Set<M>();
  private readonly byName = new Map<string, M>();
  private readonly pacer: Pacer<M>;
  readonly fanout: Fanout<M>;

  constructor(
    private readonly limits: RoomLimits,
    private readonly hooks: RoomHooks<M>,
  ) {
    this.pacer = new Pacer<M>(limits.watermarks, {
      pause: (m) => hooks.pause(m),
      resume: (m) => hooks.resume(m),
      members: () => this.members.size,
    });
    this.fanout = new LocalFanout(this.members, (turn) => this.delivered(turn), limits.turnBytes);
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
  }

  /** Whether a (valid) name is free; `self` may keep its own name in another case. */
  isFree(name: string, self?: M): boolean {
    const holder = this.byName.get(nameKey(name));
    return holder === undefined || holder === self;
  }

  /** Add a named connection to the room; false if the name is taken. */
  join(conn: M, name: string): boolean {
    if (!this.isFree(name)) return false;
    conn.name = name;
    this.byName.set(nameKey(name), conn);
    this.members.add(conn);
    this.fanout.admit(conn);
    this.fanout.toOne(
      conn,
      say.welcome(name, this.members.size, this.names(PROTOCOL.welcomeNames)),
    );
    if (this.members.size <= this.limits.announceMax) this.fanout.toAll(say.joined(name), conn);
    return true;
  }

  /**
   * Take a member out of the room and tell the others, exactly once however
   * often it is called. `reason` is shown in parentheses; `announce: false`
   * keeps it quiet (shutdown, where everyone leaves at once).
   */
  leave(conn: M, reason?: string, announce = true): void {
    if (!this.members.has(conn)) return;
    announce &&= this.members.size <= this.limits.announceMax;
    this.fanout.release(conn);
    this.members.delete(conn);
    this.pacer.forget(conn);
    this.byName.delete(nameKey(conn.name));
    if (announce) this.fanout.toAll(say.left(conn.name, reason));
  }

  rename(conn: M, name: string): Rename {
    if (!this.isFree(name, conn)) return "taken";
    const old = conn.name;
    this.byName.delete(nameKey(old));
    conn.name = name;
    this.byName.set(nameKey(name), conn);
    this.fanout.toAll(say.renamed(old, name));
    return "ok";
  }

  /** The member called `name` (any case). */
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

  /** A delivered turn: cut the readers past the cap, then pace the senders. */
  private delivered(turn: TurnReport<M>): void {
    if (turn.slow.length > 0) this.hooks.evict(turn.slow);
    this.pacer.turn(turn.queued, turn.senders);
  }

  /** Every open connection, copied so the caller may close them while looping. */
  snapshot(): M[] {
    return [...this.connections];
  }
}
