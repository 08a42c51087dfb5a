/**
 * This server's side of a room spread over several servers: the adapter
 * between the room and the carrier (redis.ts). What the room and the
 * commands tell {@link Peers} becomes events, gathered into one batch per
 * event-loop turn; each batch read back from another server becomes room
 * calls, in the order its server made them, so its lines reach this
 * server's members through the same local fan-out as lines said here.
 *
 * It also owns the cluster's failure cases as members see them: the link
 * going down and coming back (said once each, in every member's language),
 * names claimed twice while the servers were apart (the member who lost its
 * name is renamed, visibly), and servers that died (their members left).
 */

import { PROTOCOL } from "../../protocol/limits.ts";
import type { Notice } from "../../protocol/messages.ts";
import { say } from "../../protocol/messages.ts";
import { nameKey } from "../../protocol/names.ts";
import { described, guarded } from "../guard.ts";
import type { Line } from "../room/dialects.ts";
import type { Wire } from "../room/log.ts";
import type { Here, Moved, Peers, Remote, Taken } from "../room/peers.ts";
import { spokenOf } from "../room/room.ts";
import type { Client } from "../session/client.ts";
import { type Context, words } from "../session/context.ts";
import { tell } from "../session/output.ts";
import { movedAway } from "../session/resume.ts";
import { arrived, checkedState, rosterMember, saidLine, stateEvent } from "./arrivals.ts";
import type { Link, LinkEvents, Snapshot, StateWrite } from "./carrier.ts";
import { CLUSTER, PRESENCE_GRACE_MS } from "./carrier.ts";
import { decodeBatch, type Event, encodeBatch, isNode, positioned } from "./events.ts";
import { claimValue, tokenRecord } from "./redis-keys.ts";

export class Cluster implements Peers, LinkEvents {
  private events: Event[] = [];
  /** This server's own deliveries of this turn's events (by index), for the stream to place. */
  private heres: Array<Here | null> = [];
  /** Bytes of this turn's events, about: past a turn's worth, input waits for the next turn. */
  private batchBytes = 0;
  /**
   * This server's batches whose lines its own members read once the stream
   * has placed them (docs/cluster.md, "Positions"), by batch number, oldest first.
   */
  private readonly placing = new Map<number, Array<Here | null>>();
  /** The link is down: this server's lines reach its members at once, by its own positions. */
  private isDown = false;
  /** The state this turn's events change, written to Redis with their batch. */
  private writes: StateWrite[] = [];
  private seq = 0;
  private scheduled = false;
  /** Outside any socket handler: a throw is logged, and the next turn's events go out as usual. */
  private readonly runFlush = guarded(
    "the cluster's flush",
    (where, error) => this.error(where, error),
    () => this.flush(),
  );
  /**
   * The last sequence number applied from each server: repeats after a
   * reconnect are dropped, and a jump means batches were lost on the way.
   * Kept after a server is gone (it may come back after a partition and
   * resend what it sent before), at most CLUSTER.appliedNodes of them.
   */
  private readonly applied = new Map<string, number>();
  /** Turns this server's buffer dropped during the current outage, told on return. */
  private lostTurns = 0;
  /** When members were last told that lines from elsewhere went missing (ms). */
  private toldMissedAt = Number.NEGATIVE_INFINITY;
  /** Name keys being claimed right now by a member of this server. */
  private readonly claiming = new Set<string>();
  /** The link went down and members were told: they hear when it is back. */
  private toldDown = false;
  /**
   * When the link last came up (ms): others' presence is judged only after
   * PRESENCE_GRACE_MS. At start only a presence's TTL: the others' presence was
   * read as this server joined, and nobody is reconnecting because of it.
   */
  private upSince = performance.now() - (PRESENCE_GRACE_MS - CLUSTER.aliveTtlMs);
  private leaving = false;
  /** Times the link went down (metrics). */
  downs = 0;
  /**
   * How old the last stream entry read was, by this server's clock against
   * the stream's id (ms): how far behind the room this server reads (metrics).
   */
  lagMs = 0;

  constructor(
    private readonly ctx: Context,
    private readonly link: Link,
    /** Bytes one turn gathers before further input waits for the next (the room's turn). */
    private readonly turnBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  /** The link to Redis holds (false from its going down until it is back). */
  get linkUp(): boolean {
    return !this.isDown;
  }

  get ordered(): boolean {
    return !this.isDown && !this.leaving;
  }

  get busy(): boolean {
    return this.batchBytes >= this.turnBytes;
  }

  /**
   * What the room had when this server joined it: members, topic, bans,
   * history. The names hash may hold a claim whose connection is just
   * closing; the others' rosters, asked for here, settle who is really in.
   */
  restore(snapshot: Snapshot): void {
    this.push(["?"]);
    const { room, gate, config } = this.ctx;
    // Read from Redis: checked as any other server's word.
    const state = checkedState(snapshot.topic, snapshot.bans, config);
    room.topic = state.topic;
    for (const [host, name] of state.bans) gate.ban(host, name);
    for (const m of snapshot.members) {
      const member = rosterMember([m.name, m.host]);
      if (m.node !== this.link.node && member !== null && isNode(m.node)) {
        room.remoteJoined(m.node, member[0], member[1], null);
      }
    }
    // Newest entries first, each entry's lines oldest first: gather newest first, then turn over.
    const said: Array<{ line: string; at: number; pos: Wire | null }> = [];
    const seen = new Set<string>();
    for (const entry of snapshot.recent) {
      if (said.length >= config.historyLines) break;
      const batch = decodeBatch(entry.text);
      if (batch === null) continue;
      // A batch stored twice (by a papo that appended resends again) is history once.
      const id = `${batch[0]} ${batch[1]}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const place = placer(entry.pos);
      const lines: Array<{ line: string; at: number; pos: Wire | null }> = [];
      for (const e of batch[2]) {
        const pos = place(e) ?? null;
        const line = e[0] === "s" ? saidLine(e[1], config) : null;
        if (line !== null) lines.push({ line, at: entry.at, pos });
      }
      said.push(...lines.toReversed());
    }
    for (const s of said.toReversed()) room.remember(spokenOf(s.line), s.at, s.pos);
  }

  // Peers: what this server tells the others.

  said(line: string, id: number, here: Here | null): void {
    this.batchBytes += line.length;
    this.push(["s", line, id], here);
  }

  announced(line: Line, here: Here | null): void {
    this.push(["a", line], here);
  }

  joined(name: string, host: string, notice: Notice | null, here: Here | null): void {
    this.push(["j", name, host, notice], here);
  }

  left(name: string, notice: Notice | null, here: Here | null): void {
    this.push(["p", name, notice], here);
    this.link.release(nameKey(name));
  }

  renamed(from: string, to: string, notice: Notice, here: Here | null): void {
    this.push(["r", from, to, notice], here);
    if (nameKey(from) !== nameKey(to)) this.link.release(nameKey(from));
  }

  keepToken(id: string, secret: Buffer, member: Moved): void {
    const node = member.node === "" ? this.link.node : member.node;
    this.link.keepToken(id, tokenRecord(secret, { ...member, node }));
  }

  dropToken(id: string): void {
    this.link.dropToken(id);
  }

  async takeToken(id: string, secret: Buffer, host: string): Promise<Taken> {
    return this.link.takeToken(id, secret, host);
  }

  giveBack(id: string, secret: Buffer, member: Moved): void {
    const node = member.node === "" ? this.link.node : member.node;
    const moved = { ...member, node };
    const claim = claimValue(node, member.host, member.name);
    this.link.untake(id, tokenRecord(secret, moved), nameKey(member.name), claim);
  }

  movedHere(from: Moved, host: string): void {
    this.push(["y", from.name, host, from.node, from.id]);
  }

  whisper(to: Remote, from: string, text: string): void {
    this.push(["m", to.name, from, text]);
  }

  remove(who: Remote, notice: Notice, why: string): void {
    this.push(["x", who.name, notice, why]);
  }

  ban(host: string, name: string): void {
    this.push(["b", host, name]);
    this.writes.push(["b", host, name]);
  }

  unban(what: string, address: string | null): void {
    // The address when this server knew the ban: every server lifts the same one.
    this.push(["u", address ?? what]);
    if (address !== null) this.writes.push(["u", address]);
  }

  topic(text: string): void {
    this.push(["t", text]);
    this.writes.push(["t", text]);
  }

  async claim(name: string, host: string): Promise<boolean> {
    const key = nameKey(name);
    if (this.claiming.has(key)) return false;
    this.claiming.add(key);
    try {
      const got = await this.link.claim(key, host, name);
      // Redis away: this server's own view decided (the caller checked it); checked again on return.
      return got ?? true;
    } finally {
      this.claiming.delete(key);
    }
  }

  unclaim(name: string): void {
    this.link.release(nameKey(name));
  }

  /** Shutdown: the others hear that this server's members are gone, in one last batch. */
  async leave(): Promise<void> {
    this.placeNow();
    this.leaving = true;
    const { events, writes } = this;
    this.events = [];
    this.heres = [];
    this.writes = [];
    events.push(["g"]);
    const seq = ++this.seq;
    const batch = encodeBatch([this.link.node, seq, events]);
    await this.link.close({ batch, seq, writes, lines: events.filter(positioned).length });
  }

  // LinkEvents: what the carrier reports.

  entry(text: string, at: number, pos: Wire | null): void {
    this.lagMs = Math.max(0, Date.now() - at);
    const batch = decodeBatch(text);
    if (batch === null) {
      this.ctx.log.note("cluster: skipped a stream entry that is not a papo batch");
      return;
    }
    const [node, seq, events] = batch;
    const place = placer(pos);
    if (node === this.link.node) {
      this.settle(seq, events, at, place);
      return;
    }
    const last = this.applied.get(node);
    if (last !== undefined && seq <= last) return;
    this.remember(node, seq);
    // A server's first batch this one sees may be any (it started earlier); after that, none may be skipped.
    if (last !== undefined && seq > last + 1) this.missed(node);
    for (const event of events) {
      const wire = place(event);
      try {
        if (event[0] === "y") this.moved(node, event);
        else
          arrived(
            this.ctx,
            node,
            event,
            at,
            () => this.push(["h", this.ctx.room.roster(), true]),
            wire,
          );
      } catch (error) {
        // A bug, never bad input (apply checks it): this event is lost, the rest go on.
        this.ctx.log.note(`cluster: applying an event failed: ${(error as Error).stack}`);
      }
    }
  }

  down(): void {
    if (this.leaving) return;
    // This server's lines the stream has not placed yet reach its members now.
    if (!this.isDown) this.downs++;
    this.isDown = true;
    this.placeNow();
    this.ctx.log.note("cluster: the link to Redis is down; retrying");
    if (!this.toldDown) this.ctx.room.announceHere(say("linkDown"));
    this.toldDown = true;
  }

  up(): void {
    this.isDown = false;
    this.upSince = performance.now();
    this.ctx.log.note("cluster: the link to Redis is back");
    this.rejoinNow();
  }

  reaped(): void {
    this.ctx.log.note("cluster: another server took this one for gone; claiming its names again");
    this.rejoinNow();
  }

  gone(nodes: readonly string[]): void {
    // Just back: the others may not have come back and refreshed their presence yet.
    if (performance.now() - this.upSince < PRESENCE_GRACE_MS) return;
    for (const node of nodes) {
      this.ctx.log.note(`cluster: server ${node} is gone`);
      this.ctx.room.remoteGone(node);
    }
  }

  watched(): Iterable<string> {
    return this.ctx.room.remoteNodes();
  }

  full(): boolean {
    return this.ctx.room.turnFull;
  }

  lost(batches: number): void {
    if (this.lostTurns === 0)
      this.ctx.log.note("cluster: the buffer is full; dropping the oldest turns");
    this.lostTurns += batches;
  }

  problem(text: string): void {
    this.ctx.log.note(`cluster: ${text}`);
  }

  /**
   * Back after an outage: claim every member's name again (someone elsewhere
   * may have taken one meanwhile: that member is renamed, and told), tell
   * the others who is here, then tell the members the link is back.
   */
  private rejoinNow(): void {
    this.rejoin().catch((error) =>
      this.ctx.log.note(`cluster: rejoining failed: ${(error as Error).stack}`),
    );
  }

  private async rejoin(): Promise<void> {
    const { room } = this.ctx;
    const members = room.localMembers();
    const lost = await this.link.own(
      members.map((m) => ({ key: nameKey(m.name), host: m.host, name: m.name })),
    );
    if (lost === null) return; // Down again: the next return tries again.
    const taken = new Set(lost);
    for (const member of members) {
      if (taken.has(nameKey(member.name))) await this.rename(member);
    }
    // A restarted Redis forgot the room's state: what this server knows of it goes back.
    // (Changes made while away travel in the buffered batches, in stream order.)
    this.link.restore(room.topic, this.ctx.gate.banned());
    this.push(["h", room.roster(), false]);
    if (this.toldDown) room.announceHere(say("linkUp"));
    this.toldDown = false;
    if (this.lostTurns > 0) {
      this.ctx.log.note(`cluster: ${this.lostTurns} turns never reached the other servers`);
      room.announceHere(say("linkLost", this.lostTurns));
      this.lostTurns = 0;
    }
  }

  /** A member whose name another server gave away: the first free "name-N" is its now. */
  private async rename(member: Client): Promise<void> {
    const { room } = this.ctx;
    const old = member.name;
    for (let n = 2; n < 1000; n++) {
      const suffix = `-${n}`;
      const name = `${[...old].slice(0, PROTOCOL.maxNameLength - suffix.length).join("")}${suffix}`;
      if (!room.isFree(name, member) || !(await this.claim(name, member.host))) continue;
      if (member.phase !== "joined" || room.rename(member, name, true) !== "ok") {
        this.unclaim(name);
        return;
      }
      tell(this.ctx, member, words(member).nameLostInOutage(old, name));
      this.ctx.log.event(member, `renamed from ${old}: the name was taken during an outage`);
      return;
    }
  }

  private push(event: Event, here: Here | null = null): void {
    if (this.leaving) return;
    this.events.push(event);
    this.heres.push(here);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.runFlush);
  }

  private flush(): void {
    this.scheduled = false;
    if (this.events.length === 0 || this.leaving) return;
    const { events, writes, heres } = this;
    this.events = [];
    this.heres = [];
    this.writes = [];
    this.batchBytes = 0;
    const seq = ++this.seq;
    if (heres.some((here) => here !== null)) this.placing.set(seq, heres);
    const lines = events.filter(positioned).length;
    this.link.publish(encodeBatch([this.link.node, seq, events]), seq, writes, lines);
  }

  /** The link is down (or this server leaves): what waits for the stream's order is delivered now. */
  private placeNow(): void {
    const now = Date.now();
    for (const heres of this.placing.values()) for (const here of heres) here?.(undefined, now);
    this.placing.clear();
    const current = this.heres;
    for (let i = 0; i < current.length; i++) {
      current[i]?.(undefined, now);
      current[i] = null;
    }
  }

  /**
   * A member of another server resumed on `node` (event "y"): if it was
   * this server's, it leaves here without a word, and the private lines
   * kept for it go after it; everywhere, `node` holds its name now.
   */
  private moved(node: string, event: Event): void {
    const e = event as unknown[];
    const member = rosterMember([e[1], e[2]]);
    if (member === null || !isNode(e[3]) || !Number.isSafeInteger(e[4])) return;
    const [name, host] = member;
    if (e[3] === this.link.node) {
      for (const [from, text] of movedAway(this.ctx, e[4] as number))
        this.push(["m", name, from, text]);
    }
    this.ctx.room.remoteJoined(node, name, host, null);
  }

  /**
   * This server's own batch, back from the stream: its lines and presence
   * were applied when made, but the topic, bans and unbans are applied again
   * here, in the stream's order, as every server applies them: so the last
   * change in the stream is the one every server keeps (and Redis, which
   * wrote it with the batch), whichever server applied its own first.
   */
  private settle(seq: number, events: readonly Event[], at: number, place: Placer): void {
    // Batches before this one that never came back (none while the link holds): their lines, now.
    for (const [earlier, heres] of this.placing) {
      if (earlier >= seq) break;
      this.placing.delete(earlier);
      for (const here of heres) here?.(undefined, at);
    }
    const heres = this.placing.get(seq);
    this.placing.delete(seq);
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as Event;
      const wire = place(event);
      heres?.[i]?.(wire, at);
      const state = stateEvent(event, this.ctx.config);
      if (state === null) continue;
      if (state[0] === "t") this.ctx.room.topic = state[1];
      else if (state[0] === "b") this.ctx.gate.ban(state[1], state[2]);
      else this.ctx.gate.unban(state[1]);
    }
  }

  private error(where: string, error: unknown): void {
    this.ctx.log.note(`cluster: error in ${where}: ${described(error)}`);
  }

  /** Batches of `node` never arrived here (the stream was trimmed past this reader). */
  private missed(node: string): void {
    this.ctx.log.note(`cluster: batches from server ${node} were lost on the way`);
    // Everyone's view of who is where may be stale now: ask for it again.
    this.push(["?"]);
    const now = performance.now();
    if (now - this.toldMissedAt < CLUSTER.missedNoticeMs) return;
    this.toldMissedAt = now;
    this.ctx.room.announceHere(say("linesMissed"));
  }

  private remember(node: string, seq: number): void {
    this.applied.delete(node);
    this.applied.set(node, seq);
    if (this.applied.size > CLUSTER.appliedNodes) {
      const oldest = this.applied.keys().next();
      if (!oldest.done) this.applied.delete(oldest.value);
    }
  }
}

/** Gives each event of a batch that makes a line its place in the room's order: from `pos` on. */
type Placer = (event: Event) => Wire | undefined;

/**
 * The places of one batch's lines: the stream gave the batch the position
 * of its first line (`pos`); each event that makes a line takes the next,
 * in the batch's order, on every server alike. An entry without one (an
 * older papo's) places nothing: its lines take each server's own positions.
 */
function placer(pos: Wire | null): Placer {
  if (pos === null) return () => undefined;
  let next = pos.seq;
  return (event) => (positioned(event) ? { epoch: pos.epoch, seq: next++ } : undefined);
}
