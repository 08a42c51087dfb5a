/**
 * The room: the one owner of who is connected and who is in the room. Only
 * this module adds, removes and iterates clients; the fan-out reads its members
 * when it delivers a turn and reports slow readers back here, so nothing
 * is ever removed in the middle of an iteration. It also keeps what the room
 * itself remembers: its topic and its last lines (history).
 *
 * In a room spread over several servers it also keeps a view of the members
 * who live elsewhere (names, /who, /msg and the room's size count them), and
 * tells the other servers what changes here through {@link Peers}; what they
 * tell reaches it through the `remote*` and `heard` calls.
 */

import type { Lang } from "../../protocol/lang.ts";
import { type Notice, say } from "../../protocol/messages.ts";
import { nameKey } from "../../protocol/names.ts";
import { guarded, type OnError } from "../guard.ts";
import { AwayMembers, takePlace } from "./away.ts";
import { DIALECTS, dialectOf, isSpoken, type Line, type Spoken } from "./dialects.ts";
import { LogFanout } from "./fanout.ts";
import { History, type Said } from "./history.ts";
import type { Journal } from "./journal.ts";
import type { Sent } from "./line-writer.ts";
import { newEpoch, RoomLog, type Wire } from "./log.ts";
/** A connection as the room sees it. */
import type { Member } from "./member.ts";
import { Moderation } from "./moderation.ts";
import type { Here, Moved, Peers, Remote, Taken } from "./peers.ts";
import { Elsewhere } from "./remote-members.ts";
import { Sayers } from "./sayers.ts";

export type { Member };

export interface RoomLimits {
  /** Connections accepted at once, named or not. */
  maxClients: number;
  /** Join/leave notices only while the room has at most this many members. */
  announceMax: number;
  /** Bytes one turn gathers before further input waits for the next turn. */
  turnBytes: number;
  /** Bytes of its own queue (replies, private lines) a member may have waiting. */
  queueBytes: number;
  /** Bytes of the room's most recent lines kept in memory (--window-bytes). */
  windowBytes: number;
  /** A member behind that takes no byte for this long is closed (ms); 0 never. */
  behindTimeoutMs: number;
  /** Lines the room remembers for newcomers; 0 remembers none. */
  historyLines: number;
}

/** What the room asks of whoever owns the connections. */
export interface RoomHooks<M> {
  /** These connections are behind and took nothing for the read timeout: close them. */
  stalled(members: readonly M[]): void;
  /** A member's own queue fell back under half its cap: its held input may go on. */
  relieved(member: M): void;
  /** The line a member behind reads when it missed `count` lines, in its dialect. */
  missed(member: M, count: number): string;
  /** A member's delivery threw (a bug): cut that connection, with the error for the log. */
  failed(member: M, error: unknown): void;
  /** An entry point the event loop called threw (a bug): log it; the room goes on. */
  error(where: string, error: unknown): void;
}

/** How a member leaves, which decides what the others are told. */
export type Leaving =
  /** On its own (quit, closed): "* NAME left", with its /quit reason if any. */
  | { kind: "left"; reason?: string }
  /** Closed for reading nothing while behind: "* NAME left (not reading)". */
  | { kind: "stalled" }
  /** Removed by an operator: the notice goes to everyone, however big the room. */
  | { kind: "removed"; notice: Notice }
  /** Nobody is told (shutdown, where everyone leaves at once). */
  | { kind: "quietly" };

export type Rename = "ok" | "taken";

/** A turn kept from before this server started: its lines at positions `first` .. of `epoch`. */
export interface EarlierTurn {
  readonly epoch: string;
  readonly first: number;
  readonly lines: ReadonlyArray<{ readonly line: Line; readonly at: number }>;
}

export class Room<M extends Member> {
  /**
   * Open connections that are not members here: at the door, or on their way
   * out. With the members not away they are every open connection; a member
   * is in one table only, as at 10,000 members every entry shows in the memory per
   * connection.
   */
  private readonly outside = new Set<M>();
  /** Members whose connection is gone, keeping their name and place until they resume or expire. */
  private readonly awayMembers: AwayMembers<M>;
  /** How many members read each dialect (dialects.ts). */
  private readonly readers: number[] = new Array(DIALECTS).fill(0);
  /** Who said each line (its owner's id): every id handed out, and who holds one it did not join with. */
  private readonly sayers = new Sayers<M>();
  /**
   * This server's members by name key, away ones too, in the order they
   * joined (a renamed one last): the one table of its members (isMember).
   */
  private readonly byName = new Map<string, M>();
  /**
   * The first names `names(max)` gave while this server's members alone
   * filled them: a newcomer's welcome lists the same first names as the last
   * one's. Dropped when a member leaves, goes away, is replaced or renamed;
   * a join only adds names after them.
   */
  private shown: { max: number; names: readonly string[] } | null = null;
  /** Members on the other servers, by name key (empty in a single process). */
  private readonly remote = new Elsewhere();
  /** The last lines said, for newcomers. */
  private readonly said: History;
  private readonly fanout: LogFanout<M>;
  /** The room's log: positions, and the window of its latest lines. */
  readonly log: RoomLog;
  /** Set by an operator with /topic; "" when there is none. */
  topic = "";
  /** Who may speak: mutes, slow mode, quiet (/mute, /slow, /quiet), on this server. */
  readonly moderation: Moderation;
  /** The other servers of the room; null in a single process. */
  private peers: Peers | null = null;
  /** Where the room's lines, topic and bans are recorded (the store); null keeps none. */
  private journal: Journal | null = null;
  /** Names only an operator may take (--op-names, and every name that became an operator's), by key. */
  private readonly reservedNames = new Map<string, string>();

  constructor(
    private readonly limits: RoomLimits,
    hooks: RoomHooks<M>,
    private readonly clock: () => number = Date.now,
  ) {
    const onError: OnError = (where, error) => hooks.error(where, error);
    this.awayMembers = new AwayMembers<M>(limits.maxClients);
    this.moderation = new Moderation(clock);
    this.said = new History(limits.historyLines);
    this.log = new RoomLog(newEpoch(), limits.windowBytes);
    // The end-of-turn delivery and the read-timeout sweep run outside any socket handler.
    this.fanout = new LogFanout<M>(
      this.log,
      () => this.byName.values(),
      this.readers,
      {
        turnBytes: limits.turnBytes,
        queueBytes: limits.queueBytes,
        behindTimeoutMs: limits.behindTimeoutMs,
      },
      {
        failed: (m, error) => hooks.failed(m, error),
        stalled: (ms) => hooks.stalled(ms),
        relieved: (m) => hooks.relieved(m),
        missed: (m, count) => hooks.missed(m, count),
      },
      (run) => setImmediate(guarded("a turn's delivery", onError, run)),
      clock,
      undefined,
      (ms, run) => {
        const timer = setInterval(guarded("the read-timeout sweep", onError, run), ms);
        return () => clearInterval(timer);
      },
      (ms, run) => {
        const timer = setTimeout(guarded("the greetings' delivery", onError, run), ms);
        return () => clearTimeout(timer);
      },
    );
  }

  /** The room spreads over several servers: tell them what changes here from now on. */
  linkPeers(peers: Peers, lang: Lang = "en"): void {
    this.peers = peers;
    // A member of another server may resume here with protocol version 2: the log keeps every
    // turn in it too (in the server's language), so that it reads positions whoever read here.
    const v2 = dialectOf(lang, true);
    this.readers[v2] = (this.readers[v2] ?? 0) + 1;
  }

  /**
   * The room is kept beyond this process: every turn's lines, the topic and
   * bans are told to `journal` from now on. `earlier` are the turns it kept
   * from before (oldest first): they go into the log with the positions
   * they had, so a papo client resumes across a restart, and the spoken
   * ones are the newcomers' history. A papo client coming back after a
   * restart reads version 2: the log keeps every turn in it (the server's
   * language) whoever reads here.
   */
  keep(journal: Journal, lang: Lang, earlier: ReadonlyArray<EarlierTurn>): void {
    const v2 = dialectOf(lang, true);
    this.readers[v2] = (this.readers[v2] ?? 0) + 1;
    for (const turn of earlier) {
      let seq = turn.first;
      for (const { line, at } of turn.lines) {
        const wire = { epoch: turn.epoch, seq: seq++ };
        const owner = isSpoken(line) ? this.earlierId(line.from) : 0;
        this.fanout.toAll(line, undefined, wire, at, owner);
        if (isSpoken(line)) this.remember(line, at, wire);
      }
    }
    this.fanout.flush();
    this.journal = journal;
    this.fanout.journal = journal;
  }

  /** The id the lines kept from before a restart by `name` have here (Sayers.earlierOf). */
  earlierId(name: string): number {
    return this.sayers.earlierOf(nameKey(name));
  }

  /** A token kept from before a restart (the record): its member, the token spent; null when none. */
  takeStored(id: string, secret: Buffer): Moved | null {
    return this.journal?.takeToken(id, secret) ?? null;
  }

  /** Whether `name` (any case, any look-alike) is one only an operator may take. */
  isReserved(name: string): boolean {
    return this.reservedNames.has(nameKey(name));
  }

  /** Only an operator may take `name` from now on; the record keeps it. */
  reserve(name: string): void {
    const key = nameKey(name);
    if (this.reservedNames.get(key) === name) return;
    this.reservedNames.set(key, name);
    this.journal?.reserved([...this.reservedNames.values()]);
  }

  /** The reserved names, as first written. */
  reserved(): string[] {
    return [...this.reservedNames.values()];
  }

  /** The room's clock: ms since the epoch. */
  now(): number {
    return this.clock();
  }

  /** Whether other servers share this room. */
  get shared(): boolean {
    return this.peers !== null;
  }

  /** Whether other servers share this room and the link to them is up. */
  get linked(): boolean {
    return this.peers?.ordered === true;
  }

  /**
   * A line for one connection (member or not), in order with the rest,
   * already in its dialect (text, or bytes ending in "\n" that nobody changes).
   * `optional` (a private line): false, and nothing
   * sent, when its own queue is full.
   */
  tell(conn: M, line: string | Uint8Array, optional = false): boolean {
    return this.fanout.toOne(conn, line, optional);
  }

  /** A new connection's first line (its greeting, encoded with its "\n"): see LogFanout.first. */
  greet(conn: M, bytes: Uint8Array): void {
    this.fanout.first(conn, bytes);
  }

  /** Whether `conn` has more of its own lines waiting than its cap: its input should wait. */
  owesTooMuch(conn: M): boolean {
    return this.fanout.overQueue(conn);
  }

  /** Write `conn` what it is owed now (before a goodbye, which must come last); true when all is out. */
  release(conn: M): boolean {
    return this.fanout.release(conn);
  }

  /** Whether anything is still owed to `conn`. */
  owes(conn: M): boolean {
    return this.fanout.owes(conn);
  }

  /** Deliver the turn now instead of at the end of the event-loop turn, and the greetings waiting. */
  flush(): void {
    this.fanout.flushAll();
  }

  /** This turn holds as many bytes as a turn may: further input waits for the next one. */
  get turnFull(): boolean {
    return this.fanout.full || this.peers?.busy === true;
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

  /** An address was banned here: the other servers ban it too, and the record keeps it. */
  banned(host: string, name: string): void {
    this.peers?.ban(host, name);
    this.journal?.ban(host, name);
  }

  /** `what` was unbanned here (`address`: the ban it lifted, if any): so are the other servers. */
  unbanned(what: string, address: string | null): void {
    this.peers?.unban(what, address);
    if (address !== null) this.journal?.unban(address);
  }

  /** What the fan-out did so far (metrics). */
  get sent(): Readonly<Sent> {
    return this.fanout.sent;
  }

  /** Members whose socket did not take everything they are owed, now. */
  get behindCount(): number {
    return this.fanout.behindCount;
  }

  get connectionCount(): number {
    return this.outside.size + this.byName.size - this.awayMembers.size;
  }

  /** Members in the whole room, on every server, away ones included. */
  get memberCount(): number {
    return this.byName.size + this.remote.size;
  }

  /** Whether `conn` is a member here with a connection (not away). */
  private isMember(conn: M): boolean {
    return !conn.away && conn.nameKey !== "" && this.byName.get(conn.nameKey) === conn;
  }

  /**
   * A member's connection is gone but it may resume: nobody is told, its
   * name stays its own, lines for it alone are kept; nothing is written to it.
   */
  suspend(conn: M): void {
    if (!this.isMember(conn)) return;
    this.shown = null;
    conn.away = true;
    this.fanout.park(conn);
    this.awayMembers.add(conn);
  }

  /**
   * `conn` (a new connection) takes the place of the away (or still
   * connected) member `old`: its name, id, language, lines kept for it;
   * it reads the room from position `from`. `first` are lines for it that go
   * before everything else (the answer to its resume; `gapTold`: it says
   * what the member missed, see takePlace). Nobody is told.
   */
  resume(old: M, conn: M, from: number, first: readonly string[], gapTold = false): boolean {
    const wasAway = this.awayMembers.delete(old);
    if (!wasAway && !this.isMember(old)) return false;
    this.shown = null;
    this.outside.delete(old);
    takePlace(old, conn, first, (line) => this.fanout.toOne(conn, line), gapTold);
    this.sayers.holdsMoved(conn);
    // In the old one's place among the members: takes its name's entry.
    this.byName.set(conn.nameKey, conn);
    this.outside.delete(conn);
    this.fanout.resumeAt(conn, from);
    return true;
  }

  /**
   * `conn` (a new connection) is a member that resumed here from another
   * server (session/resume.ts; its name claimed for this server, its id
   * here set): in the room again without a word, reading from `from`
   * (`first` before anything else: the answer to its resume). False if a
   * member here holds its name after all.
   */
  adopt(conn: M, moved: Moved, from: number, first: readonly string[]): boolean {
    if (!this.isFree(moved.name, undefined, true)) return false;
    const key = nameKey(moved.name);
    this.remote.forgetName(key);
    this.named(conn, moved.name, key);
    this.outside.delete(conn);
    this.readers[conn.dialect] = (this.readers[conn.dialect] ?? 0) + 1;
    this.fanout.admit(conn, conn.id);
    this.sayers.holdsMoved(conn);
    for (const line of first) this.fanout.toOne(conn, line);
    for (const line of conn.queue ?? []) line.before = 0;
    conn.since = Math.min(conn.since, from);
    this.fanout.resumeAt(conn, from);
    this.peers?.movedHere(moved, conn.host);
    return true;
  }

  /**
   * Keep a member's resume token where every server of the room can check
   * it, and where this one finds it after a restart (the record).
   */
  keepToken(id: string, secret: Buffer, member: Moved): void {
    this.peers?.keepToken(id, secret, member);
    this.journal?.keepToken(id, secret, member);
  }

  /** A resume token is spent or void. */
  dropToken(id: string): void {
    this.peers?.dropToken(id);
    this.journal?.dropToken(id);
  }

  /**
   * A token this server's memory does not hold: issued by another server of
   * the room, or by this one before a restart. Its member, now to be this
   * server's; "spent" when used already; null when unknown.
   */
  takeToken(id: string, secret: Buffer, host: string): Promise<Taken> {
    if (this.peers !== null) return this.peers.takeToken(id, secret, host);
    return Promise.resolve(this.journal?.takeToken(id, secret) ?? null);
  }

  /** A take that came to nothing: the token and its member's name as they were. */
  giveBack(id: string, secret: Buffer, member: Moved): void {
    if (this.peers !== null) this.peers.giveBack(id, secret, member);
    else this.journal?.keepToken(id, secret, member);
  }

  /** Whether one more member may be away (away.ts: at most --max-clients of them). */
  get mayHoldAway(): boolean {
    return this.awayMembers.mayHoldOne;
  }

  /** Whether `conn` is away (connection gone, may resume). */
  isAway(conn: M): boolean {
    return this.awayMembers.has(conn);
  }

  /** A connection that is away closed: it no longer counts as a connection. */
  disconnect(conn: M): void {
    this.outside.delete(conn);
  }

  /** Register a new connection; false when the server is full. */
  accept(conn: M): boolean {
    if (this.connectionCount >= this.limits.maxClients) return false;
    this.outside.add(conn);
    return true;
  }

  /** A connection's socket can take more: write what it is owed; true once it has everything. */
  drained(conn: M): boolean {
    return this.fanout.drained(conn);
  }

  /** The server is stopping: no more timers. */
  close(): void {
    this.fanout.close();
  }

  /** Forget a connection for good (its socket closed). Leaves the room first if needed. */
  drop(conn: M): void {
    this.leaveRoom(conn, { kind: "left" }, false);
    this.outside.delete(conn);
    this.fanout.forget(conn);
  }

  /** `conn` speaks protocol version 2 from now on (before it joins). */
  speakV2(conn: M): void {
    conn.v2 = true;
    this.fanout.setDialect(conn, dialectOf(conn.lang, true));
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
    const key = nameKey(name);
    if (claimed) this.remote.forgetName(key);
    this.named(conn, name, key);
    this.outside.delete(conn);
    this.readers[conn.dialect] = (this.readers[conn.dialect] ?? 0) + 1;
    this.fanout.admit(conn, this.sayers.next());
    const notice = this.memberCount <= this.limits.announceMax ? say("joined", name) : null;
    // A crowded room of one server has nobody to tell: no delivery built (see tellJoined).
    if (notice !== null || this.peers !== null) this.tellJoined(conn, name, notice);
    return true;
  }

  /**
   * A join, told here (`notice`, if any) and to the other servers. A method
   * of its own: the closures it makes would otherwise be allocated by every
   * join, told or not.
   */
  private tellJoined(conn: M, name: string, notice: Notice | null): void {
    const here = notice === null ? null : this.here(notice, conn);
    this.send(here, (h) => this.peers?.joined(name, conn.host, notice, h));
  }

  /**
   * Take a member out of the room and tell the others as `how` says, exactly
   * once however often it is called.
   */
  leave(conn: M, how: Leaving = { kind: "left" }): void {
    this.leaveRoom(conn, how, true);
  }

  /** leave(), for a connection still `connected` (outside the room until its socket closes) or gone. */
  private leaveRoom(conn: M, how: Leaving, connected: boolean): void {
    // Only a member marked away can be among the away members: the common case asks one set.
    const away = conn.away && this.awayMembers.has(conn);
    if (!away && !this.isMember(conn)) return;
    const crowded = this.memberCount > this.limits.announceMax;
    this.fanout.leave(conn);
    if (!away && connected) this.outside.add(conn);
    this.shown = null;
    if (away && this.awayMembers.delete(conn)) this.fanout.forget(conn);
    this.readers[conn.dialect] = (this.readers[conn.dialect] ?? 1) - 1;
    this.byName.delete(conn.nameKey);
    this.sayers.left(conn);
    const notice = leavingNotice(conn.name, how, crowded);
    // As for a join (tellJoined): nobody to tell, no delivery built.
    if (notice !== null || this.peers !== null) this.tellLeft(conn.name, notice);
  }

  /** A member left, told here (`notice`, if any) and to the other servers. */
  private tellLeft(name: string, notice: Notice | null): void {
    this.send(notice === null ? null : this.here(notice), (h) => this.peers?.left(name, notice, h));
  }

  /** `conn` is known as `name` (whose key is `key`) from now on. */
  private named(conn: M, name: string, key: string): void {
    conn.name = name;
    conn.nameKey = key;
    this.byName.set(key, conn);
  }

  rename(conn: M, name: string, claimed = false): Rename {
    if (!this.isFree(name, conn, claimed)) return "taken";
    const key = nameKey(name);
    if (claimed) this.remote.forgetName(key);
    const old = conn.name;
    this.byName.delete(conn.nameKey);
    this.shown = null;
    this.named(conn, name, key);
    // A muted member stays muted under its new name.
    if (this.moderation.renamed(old, name)) this.journal?.moderation(this.moderation.saved());
    const notice = say("renamed", old, name);
    this.send(this.here(notice), (h) => this.peers?.renamed(old, name, notice, h));
    return "ok";
  }

  /** A member's own line (chat or action) for everyone else, remembered for newcomers. */
  say(from: M, line: Spoken): void {
    this.send(this.here(line, from, true), (here) => this.peers?.said(line.text, from.id, here));
  }

  /** A line for everyone in the room, on every server; not remembered. */
  announce(line: Line): void {
    this.send(this.here(line), (here) => this.peers?.announced(line, here));
  }

  /**
   * A line for the members of this server only (shutdown, the link to the
   * others), or another server's line at `wire`, its place in the room's order.
   */
  announceHere(line: Line, wire?: Wire): void {
    this.fanout.toAll(line, undefined, this.placed(wire));
  }

  /** An operator sets the topic, for everyone. */
  setTopic(by: string, text: string): void {
    this.topic = text;
    this.announce(say("topicSet", by, text));
    this.peers?.topic(text);
    this.journal?.topic(text);
  }

  /** An operator changed who may speak (this.moderation): everyone is told, the record keeps it. */
  moderated(notice: Notice): void {
    this.announce(notice);
    this.journal?.moderation(this.moderation.saved());
  }

  /**
   * A member's line said on another server (its v1 text), `at` ms since the
   * epoch, by member `id` there, at `wire` in the room's order.
   */
  heard(text: string, at: number, wire?: Wire, node?: string, id?: number): void {
    const line = spokenOf(text);
    const owner = node === undefined || id === undefined ? 0 : this.idOf(node, id);
    // Its sayer may have resumed here since: then it is this server's member, and hears it not.
    // (An id given to another server's member is held here only by one that came here.)
    const sayer = owner === 0 ? undefined : this.sayers.movedTo(owner);
    const seq = this.fanout.toAll(line, sayer, this.placed(wire), at, owner);
    this.remember(line, at, wire ?? (this.peers === null ? this.ownPosition(seq) : null));
  }

  /** A member joined on another server (or is already there, as a roster says). */
  remoteJoined(node: string, name: string, host: string, notice: Notice | null, wire?: Wire): void {
    this.remote.joined(node, name, host);
    if (notice !== null) this.fanout.toAll(notice, undefined, this.placed(wire));
  }

  remoteLeft(node: string, name: string, notice: Notice | null, wire?: Wire): void {
    this.remote.left(node, name);
    if (notice !== null) this.fanout.toAll(notice, undefined, this.placed(wire));
  }

  remoteRenamed(node: string, from: string, to: string, notice: Notice, wire?: Wire): void {
    this.remote.renamed(node, from, to);
    this.fanout.toAll(notice, undefined, this.placed(wire));
  }

  /** The id this server knows member `id` of server `node` by (Sayers.remoteOf). */
  idOf(node: string, id: number): number {
    return this.sayers.remoteOf(node, id);
  }

  /**
   * What this server's members read a line by: `wire` (the room's order),
   * else their own position here; in a room over several servers, a line
   * for this server alone has none (no other server could place it).
   */
  private placed(wire: Wire | undefined): Wire | null | undefined {
    return wire ?? (this.peers === null ? undefined : null);
  }

  private ownPosition(seq: number): Wire {
    return { epoch: this.log.epoch, seq };
  }

  /**
   * The delivery of one of this server's own lines here, by `from` if a
   * member said it; remembered for newcomers if `spoken`.
   */
  private here(line: Line, from?: M, spoken = false): Here {
    return (wire, at) => {
      const sayer = from === undefined ? undefined : this.sayerNow(from);
      const seq = this.fanout.toAll(line, sayer, wire, at, from?.id ?? 0);
      if (spoken) this.remember(line as Spoken, at, wire ?? this.ownPosition(seq));
    };
  }

  /** Whoever holds `from`'s id now: `from`, the connection it resumed on, or nobody (it left). */
  private sayerNow(from: M): M | undefined {
    const moved = this.sayers.movedTo(from.id);
    if (moved !== undefined) return moved;
    // A member here or away holds its name's entry.
    return this.byName.get(from.nameKey) === from ? from : undefined;
  }

  /**
   * Deliver `here` now and tell the peers with `tell`, or, when the stream
   * orders this server's lines, hand `here` to the peers to call once it has.
   */
  private send(here: Here | null, tell: (here: Here | null) => void): void {
    if (here !== null && this.peers?.ordered === true) {
      tell(here);
      return;
    }
    here?.(undefined, this.clock());
    tell(null);
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
    for (const name of left) this.announceHere(say("left", name));
    for (const name of joined) this.announceHere(say("joined", name));
  }

  /** Another server is gone (shut down, or dead): its members left, announced as usual. */
  remoteGone(node: string): void {
    const gone = this.remote.forget(node);
    if (this.memberCount + gone.length > this.limits.announceMax) return;
    for (const name of gone) this.announceHere(say("left", name));
  }

  /** The servers whose members this one knows of. */
  remoteNodes(): Set<string> {
    return this.remote.nodes();
  }

  /** This server's own members, away ones included (their names are still theirs). */
  localMembers(): M[] {
    return [...this.byName.values()];
  }

  /** This server's own members, away ones included, as [name, host]. */
  roster(): Array<[string, string]> {
    return this.localMembers().map((m) => [m.name, m.host]);
  }

  /** The remembered lines, oldest first. */
  history(): readonly Said[] {
    return this.said.lines();
  }

  /**
   * Switch the language a connection reads. Every line not yet written to
   * it (this turn's, or what it is behind by) comes in the new one, where
   * the log has it in that language (a turn said while nobody read it comes
   * in the language it was kept in).
   */
  setLang(conn: M, lang: Lang): void {
    if (conn.lang === lang) return;
    const inRoom = this.isMember(conn);
    if (inRoom) this.readers[conn.dialect] = (this.readers[conn.dialect] ?? 1) - 1;
    conn.lang = lang;
    this.fanout.setDialect(conn, dialectOf(lang, conn.v2));
    if (inRoom) this.readers[conn.dialect] = (this.readers[conn.dialect] ?? 0) + 1;
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

  /**
   * Up to `max` member names: this server's in joining order (a renamed
   * member last), those away after them, then the others'; `marked`:
   * operators' with "@" before them (/who).
   */
  names(max = Number.POSITIVE_INFINITY, marked = false): readonly string[] {
    const shown = this.shown;
    if (!marked && shown !== null && shown.max === max) return shown.names;
    const out: string[] = [];
    for (const m of this.byName.values()) {
      if (m.away) continue;
      if (out.length >= max) {
        // Unmarked only: who is an operator changes without the room knowing.
        if (!marked) this.shown = { max, names: out };
        return out;
      }
      out.push(marked && m.operator ? `@${m.name}` : m.name);
    }
    for (const m of this.awayMembers.values()) {
      if (out.length >= max) return out;
      out.push(`${m.name} (away)`);
    }
    for (const m of this.remote.values()) {
      if (out.length >= max) break;
      out.push(m.name);
    }
    return out;
  }

  /** Every open connection, copied so the caller may close them while looping. */
  snapshot(): M[] {
    const out = [...this.outside];
    for (const m of this.byName.values()) if (!m.away) out.push(m);
    return out;
  }

  /** Keep a line for newcomers, said at `at` (ms since the epoch), at position `pos`. */
  remember(line: Spoken, at: number, pos: Wire | null): void {
    this.said.remember(line, at, pos);
  }
}

/** A v1 line from another server as a member's words: "<NAME> text" or "* <NAME> text". */
export function spokenOf(text: string): Spoken {
  const action = text.startsWith("* <");
  const open = action ? 2 : 0;
  const close = text.indexOf("> ", open);
  const from = text[open] === "<" && close > open ? text.slice(open + 1, close) : "";
  return { kind: action ? "action" : "chat", from, text };
}

/** What everyone reads when a member leaves `how`, if anything. */
function leavingNotice(name: string, how: Leaving, crowded: boolean): Notice | null {
  if (how.kind === "removed") return how.notice;
  if (crowded || how.kind === "quietly") return null;
  if (how.kind === "stalled") return say("leftNotReading", name);
  return say("left", name, how.reason);
}
