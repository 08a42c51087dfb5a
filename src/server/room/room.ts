/**
 * The room: the one owner of who is connected and who is in the room. Only
 * this module adds, removes and iterates clients; the fan-out reads the member
 * sets when it delivers a turn and reports slow readers back here, so nothing
 * is ever removed in the middle of an iteration. It also keeps what the room
 * itself remembers: its topic and its last lines (history).
 *
 * In a room spread over several servers it also keeps a view of the members
 * who live elsewhere (names, /who, /msg and the room's size count them), and
 * tells the other servers what changes here through {@link Peers}; what they
 * tell reaches it through the `remote*` and `heard` calls.
 */

import { LANGS, type Lang } from "../../protocol/lang.ts";
import { type Notice, say } from "../../protocol/messages.ts";
import { nameKey } from "../../protocol/names.ts";
import { guarded, type OnError } from "../guard.ts";
import type { Fanout, Line, TurnReport } from "./fanout.ts";
import { LanguageFanout, type Reader } from "./languages.ts";
import { type Backlogged, type Clock, Pacer, realClock, type Watermarks } from "./pacer.ts";
import type { Peers, Remote } from "./peers.ts";
import { Elsewhere } from "./remote-members.ts";

/** A connection as the room sees it. */
export interface Member extends Reader, Backlogged {
  name: string;
  lang: Lang;
  /** Its address, which other servers learn so that an operator anywhere can ban it. */
  readonly host: string;
}

export interface RoomLimits {
  /** Connections accepted at once, named or not. */
  maxClients: number;
  /** Join/leave notices only while the room has at most this many members. */
  announceMax: number;
  /** Backlog marks for pacing: behind over `low`, near its cap over `high`, evicted once stalled over `cap`. */
  watermarks: Watermarks;
  /** Bytes one turn gathers before further input waits for the next turn. */
  turnBytes: number;
  /** Lines the room remembers for newcomers; 0 remembers none. */
  historyLines: number;
}

/** What the room asks of whoever owns the connections. */
export interface RoomHooks<M> {
  /**
   * These connections are too slow: stalled past the cap, or past the
   * ceiling at once. Cut them (they may still be members).
   */
  evict(slow: readonly M[]): void;
  /** Stop taking input from this sender until resume: the room's readers are behind. */
  pause(member: M): void;
  resume(member: M): void;
  /** A member's delivery threw (a bug): cut that connection, with the error for the log. */
  failed(member: M, error: unknown): void;
  /** An entry point the event loop called threw (a bug): log it; the room goes on. */
  error(where: string, error: unknown): void;
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
  /** Members on the other servers, by name key (empty in a single process). */
  private readonly remote = new Elsewhere();
  private readonly pacer: Pacer<M>;
  /** The last lines, oldest first, at most limits.historyLines. */
  private readonly said: Said[] = [];
  private readonly fanout: Fanout<M>;
  /** Set by an operator with /topic; "" when there is none. */
  topic = "";
  /** The other servers of the room; null in a single process. */
  private peers: Peers | null = null;

  constructor(
    private readonly limits: RoomLimits,
    private readonly hooks: RoomHooks<M>,
    private readonly clock: () => number = Date.now,
  ) {
    for (const lang of LANGS) this.readers[lang] = 0;
    const onError: OnError = (where, error) => hooks.error(where, error);
    // The pacer's timer and the end-of-turn delivery run outside any socket handler.
    const timers: Clock = {
      now: realClock.now,
      after: (ms, run) => realClock.after(ms, guarded("the pacer's timer", onError, run)),
    };
    this.pacer = new Pacer<M>(
      limits.watermarks,
      {
        pause: (m) => hooks.pause(m),
        resume: (m) => hooks.resume(m),
        evict: (slow) => hooks.evict(slow),
        members: () => this.members.size,
      },
      timers,
    );
    this.fanout = new LanguageFanout(
      this.members,
      this.readers,
      (turn) => this.delivered(turn),
      limits.turnBytes,
      (run) => setImmediate(guarded("a turn's delivery", onError, run)),
    );
  }

  /** The room spreads over several servers: tell them what changes here from now on. */
  linkPeers(peers: Peers): void {
    this.peers = peers;
  }

  /** Whether other servers share this room. */
  get shared(): boolean {
    return this.peers !== null;
  }

  /** A line for one connection (member or not), in order with the rest, already in its language. */
  tell(conn: M, line: string): void {
    this.fanout.toOne(conn, line);
  }

  /** Hand `conn` what this turn owes it now (before a goodbye, which must come last). */
  release(conn: M): void {
    this.fanout.release(conn);
  }

  /** Deliver the turn now instead of at the end of the event-loop turn. */
  flush(): void {
    this.fanout.flush();
  }

  /** This turn holds as many bytes as a turn may: further input waits for the next one. */
  get turnFull(): boolean {
    return this.fanout.full;
  }

  /**
   * Ask every server for `name` for a connection from `host`: null when no
   * other server shares the room (the room's own view decides, at once).
   */
  claim(name: string, host: string): Promise<boolean> | null {
    return this.peers?.claim(name, host) ?? null;
  }

  /** Give back a claimed name that no member took after all. */
  unclaim(name: string): void {
    this.peers?.unclaim(name);
  }

  /** A private line for a member who lives on another server. */
  whisper(to: Remote, from: string, text: string): void {
    this.peers?.whisper(to, from, text);
  }

  /** An operator removes a member who lives on another server. */
  removeElsewhere(who: Remote, notice: Notice, why: string): void {
    this.peers?.remove(who, notice, why);
  }

  /** An address was banned here: the other servers ban it too. */
  banned(host: string, name: string): void {
    this.peers?.ban(host, name);
  }

  /** `what` was unbanned here (`address`: the ban it lifted, if any): so are the other servers. */
  unbanned(what: string, address: string | null): void {
    this.peers?.unban(what, address);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Members in the whole room, on every server. */
  get memberCount(): number {
    return this.members.size + this.remote.size;
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
  isFree(name: string, self?: M, claimed = false): boolean {
    const key = nameKey(name);
    const holder = this.byName.get(key);
    return (holder === undefined || holder === self) && (claimed || !this.remote.has(key));
  }

  /**
   * Add a named connection to the room and tell the others; false if the
   * name is taken. From now on the member gets every line queued after this.
   * `claimed`: every server agreed the name is this one's, whatever the room
   * last heard of it.
   */
  join(conn: M, name: string, claimed = false): boolean {
    if (!this.isFree(name, undefined, claimed)) return false;
    // The other servers gave it to this one: what this one knew of an earlier holder is stale.
    if (claimed) this.remote.forgetName(nameKey(name));
    conn.name = name;
    this.byName.set(nameKey(name), conn);
    this.members.add(conn);
    this.readers[conn.lang]++;
    this.fanout.admit(conn);
    const notice = this.memberCount <= this.limits.announceMax ? say("joined", name) : null;
    if (notice !== null) this.fanout.toAll(notice, conn);
    this.peers?.joined(name, conn.host, notice);
    return true;
  }

  /**
   * Take a member out of the room and tell the others as `how` says, exactly
   * once however often it is called.
   */
  leave(conn: M, how: Leaving = { kind: "left" }): void {
    if (!this.members.has(conn)) return;
    const crowded = this.memberCount > this.limits.announceMax;
    this.fanout.release(conn);
    this.members.delete(conn);
    this.readers[conn.lang]--;
    this.byName.delete(nameKey(conn.name));
    this.pacer.forget(conn);
    const notice = leavingNotice(conn.name, how, crowded);
    if (notice !== null) this.fanout.toAll(notice);
    this.peers?.left(conn.name, notice);
  }

  rename(conn: M, name: string, claimed = false): Rename {
    if (!this.isFree(name, conn, claimed)) return "taken";
    if (claimed) this.remote.forgetName(nameKey(name));
    const old = conn.name;
    this.byName.delete(nameKey(old));
    conn.name = name;
    this.byName.set(nameKey(name), conn);
    const notice = say("renamed", old, name);
    this.fanout.toAll(notice);
    this.peers?.renamed(old, name, notice);
    return "ok";
  }

  /** A member's own line (chat or action) for everyone else, remembered for newcomers. */
  say(from: M, line: string): void {
    this.remember(line, this.clock());
    this.fanout.toAll(line, from);
    this.peers?.said(line);
  }

  /** A line for everyone in the room, on every server; not remembered. */
  announce(line: Line): void {
    this.fanout.toAll(line);
    this.peers?.announced(line);
  }

  /** A line for the members of this server only (shutdown, the link to the others). */
  announceHere(line: Line): void {
    this.fanout.toAll(line);
  }

  /** An operator sets the topic, for everyone. */
  setTopic(by: string, text: string): void {
    this.topic = text;
    this.announce(say("topicSet", by, text));
    this.peers?.topic(text);
  }

  /** A member's line said on another server, `at` ms since the epoch. */
  heard(line: string, at: number): void {
    this.remember(line, at);
    this.fanout.toAll(line);
  }

  /** A member joined on another server (or is already there, as a roster says). */
  remoteJoined(node: string, name: string, host: string, notice: Notice | null): void {
    this.remote.joined(node, name, host);
    if (notice !== null) this.fanout.toAll(notice);
  }

  remoteLeft(node: string, name: string, notice: Notice | null): void {
    this.remote.left(node, name);
    if (notice !== null) this.fanout.toAll(notice);
  }

  remoteRenamed(node: string, from: string, to: string, notice: Notice): void {
    this.remote.renamed(node, from, to);
    this.fanout.toAll(notice);
  }

  /**
   * Everyone another server has, as it says when it returns after an
   * outage. Usually what this server knew already; members it had counted
   * as gone (the other server was cut off long enough) join again, and
   * members that left unseen leave, announced as usual.
   */
  remoteRoster(
    node: string,
    members: ReadonlyArray<readonly [string, string]>,
    quietly = false,
  ): void {
    const { joined, left } = this.remote.replace(node, members);
    if (quietly || this.memberCount > this.limits.announceMax) return;
    for (const name of left) this.fanout.toAll(say("left", name));
    for (const name of joined) this.fanout.toAll(say("joined", name));
  }

  /** Another server is gone (shut down, or dead): its members left, announced as usual. */
  remoteGone(node: string): void {
    const gone = this.remote.forget(node);
    if (this.memberCount + gone.length > this.limits.announceMax) return;
    for (const name of gone) this.fanout.toAll(say("left", name));
  }

  /** The servers whose members this one knows of. */
  remoteNodes(): Set<string> {
    return this.remote.nodes();
  }

  /** This server's own members. */
  localMembers(): M[] {
    return [...this.members];
  }

  /** This server's own members, as [name, host]. */
  roster(): Array<[string, string]> {
    return [...this.members].map((m) => [m.name, m.host]);
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

  /** The member of this server called `name` (any case, any look-alike spelling). */
  find(name: string): M | undefined {
    return this.byName.get(nameKey(name));
  }

  /** The member called `name` here, or where it lives if on another server. */
  locate(name: string): M | Remote | undefined {
    const key = nameKey(name);
    return this.byName.get(key) ?? this.remote.get(key);
  }

  /** Up to `max` member names: this server's in joining order, then the others'. */
  names(max = Number.POSITIVE_INFINITY): string[] {
    const out: string[] = [];
    for (const m of this.members) {
      if (out.length >= max) return out;
      out.push(m.name);
    }
    for (const m of this.remote.values()) {
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
   * A delivered turn: cut the readers past the ceiling, then pace the senders
   * (the pacer cuts stalled readers past the cap).
   * Only members pace or are paced: a connection still choosing a name (or
   * one the evictions just removed) must neither hold the room nor be
   * remembered by the pacer once it is gone.
   */
  private delivered(turn: TurnReport<M>): void {
    for (const [member, error] of turn.failed) this.hooks.failed(member, error);
    if (turn.slow.length > 0) this.hooks.evict(turn.slow);
    const inRoom = (m: M) => this.members.has(m);
    const queued = turn.queued.every(inRoom) ? turn.queued : turn.queued.filter(inRoom);
    const senders = turn.senders.every(inRoom) ? turn.senders : turn.senders.filter(inRoom);
    this.pacer.turn(queued, senders);
  }

  /** Keep a line for newcomers, said at `at` (ms since the epoch). */
  remember(line: string, at: number): void {
    const max = this.limits.historyLines;
    if (max <= 0) return;
    // NOTE: shift() on a short array; at the default 50 lines a ring buys nothing.
    if (this.said.length >= max) this.said.shift();
    this.said.push({ at, line });
  }
}

/** What everyone reads when a member leaves `how`, if anything. */
function leavingNotice(name: string, how: Leaving, crowded: boolean): Notice | null {
  if (how.kind === "removed") return how.notice;
  if (crowded || how.kind === "quietly") return null;
  if (how.kind === "slow") return say("leftTooSlow", name);
  return say("left", name, how.reason);
}
