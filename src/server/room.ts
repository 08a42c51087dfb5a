/**
 * The room: the one owner of who is connected and who is in the room. Only
 * this module adds, removes and iterates clients; the fan-out reads the member
 * set when it delivers a turn and reports slow readers back here, so nothing
 * is ever removed in the middle of an iteration.
 */

import { PROTOCOL } from "../config.ts";
import { server as say } from "../protocol/messages.ts";
import { nameKey } from "../protocol/names.ts";
import { type Fanout, LocalFanout, type Recipient } from "./fanout.ts";

/** A connection as the room sees it. */
export interface Member extends Recipient {
  name: string;
}

export interface RoomLimits {
  /** Connections accepted at once, named or not. */
  maxClients: number;
  /** Join/leave notices only while the room has at most this many members. */
  announceMax: number;
}

export type Rename = "ok" | "taken";

export class Room<M extends Member> {
  private readonly connections = new Set<M>();
  private readonly members = new Set<M>();
  private readonly byName = new Map<string, M>();
  readonly fanout: Fanout<M>;

  /** @param evict called with members whose backlog passed its cap (they are still members). */
  constructor(
    private readonly limits: RoomLimits,
    evict: (slow: M[]) => void,
    fanout?: Fanout<M>,
  ) {
    this.fanout = fanout ?? new LocalFanout(this.members, evict);
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

  /** Every open connection, copied so the caller may close them while looping. */
  snapshot(): M[] {
    return [...this.connections];
  }
}
