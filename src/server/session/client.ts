/**
 * The state papo keeps for one connection (a TCP socket's socket.data, a
 * WebSocket's ws.data.client): small, typed, and free of closures so that
 * ten thousand idle clients stay cheap. It knows its transport only as a
 * Connection (transport/connection.ts).
 */

import { hostPort } from "../../net/address.ts";
import type { Lang } from "../../protocol/lang.ts";
import { LineDecoder } from "../../protocol/lines.ts";
import { dialectOf } from "../room/dialects.ts";
import { Reader } from "../room/reader.ts";
import type { Connection } from "../transport/connection.ts";
import type { BlockInput } from "./block-input.ts";
import { TokenBucket } from "./ratelimit.ts";

export type Phase =
  /** Connected to a room with a password, which has not been given yet. */
  | "password"
  /** Connected, choosing a name. */
  | "naming"
  /** In the room. */
  | "joined"
  /** Its connection is gone; it keeps its name and place for the resume grace (resume.ts). */
  | "away"
  /** Saying goodbye: input is read and discarded, the backlog drains. */
  | "closing"
  /** Backlog written and our side shut down: waiting for the peer to close its side. */
  | "ending"
  /** The socket is gone. */
  | "closed";

/**
 * NOTE: a Client *is* its connection's Reader (subclass rather than a field)
 * so that each connection costs one object less: at 10,000 connections every
 * object header shows in the memory per connection.
 */
/** Client's flags. */
const Flag = {
  Operator: 1,
  PeerEnded: 2,
  /** It has sent a line. */
  Spoke: 4,
  /** Its socket is paused (hold). */
  Paused: 8,
  V2: 16,
  /** Two bits: the index of its transport in TRANSPORTS. */
  Transport: 32 | 64,
  /** Its name clock runs in the door's line (name-clock.ts). */
  DoorClock: 128,
} as const;

/** How a connection reached the server, for the operator log: TCP, TCP with TLS, or a WebSocket. */
export type Transport = "tcp" | "tls" | "ws";

const TRANSPORTS: readonly Transport[] = ["tcp", "tls", "ws"];
/** Where Flag.Transport's bits start. */
const TRANSPORT_SHIFT = 5;

export class Client extends Reader<Connection> {
  phase: Phase = "naming";
  /** Set once the room accepts a name. */
  name = "";
  /** Its name's key, set by the room with the name (room/member.ts). */
  nameKey = "";
  /** The language this connection reads the server's lines in (/lang). */
  lang: Lang;
  /** At the door: the reserved name it asked for; its next line is the operator password. */
  wantsReserved = "";
  /** The id of its resume token while it holds one (resume.ts); "" for none. */
  tokenId = "";
  /** Private lines sent to it while away, as [from, text]: they follow it if it resumes on another server. */
  kept: Array<[string, string]> | null = null;
  /** A block it is sending, line by line (block.ts); null when none. */
  block: BlockInput | null = null;

  readonly decoder: LineDecoder;
  /** Flood control; null when it is off (--rate-limit 0): nothing to keep per connection. */
  readonly bucket: TokenBucket | null;
  /** Name deadline while naming, close deadline while closing. */
  timer: ReturnType<typeof setTimeout> | null = null;
  /**
   * At the door: the name clock's deadline while it runs (performance.now()
   * ms), what is left of it while a wait stops it (name-clock.ts).
   */
  nameLeftMs = 0;
  /** When held input may go on: flood control's next token, or a password's penalty. */
  waitTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bits of input.ts's Hold: why input is not being read. */
  holds = 0;
  /** Why the server ended this connection, for the operator log. */
  endReason = "";
  /**
   * What is true of it, a bit or two each (Flag): one field rather than six, so
   * that the object fits a smaller size of the heap's (224 bytes, not 256).
   */
  private flags = 0;
  /**
   * Kept because Bun forgets it once the socket closes (the address it keeps).
   * Read at once when connection events are logged; with --quiet, when the
   * log first needs it (each read is a system call): 0 until then.
   */
  private remotePort: number;

  constructor(
    connection: Connection,
    limits: {
      maxLineBytes: number;
      maxQueueBytes: number;
      rateLimit: number;
      rateBurst: number;
      lang: Lang;
      /** Connection events are not logged (--quiet). */
      quiet?: boolean;
    },
    now: number,
  ) {
    super(connection);
    this.lang = limits.lang;
    this.dialect = dialectOf(limits.lang, false);
    this.remotePort = limits.quiet === true ? 0 : connection.remotePort;
    this.decoder = new LineDecoder(limits.maxLineBytes);
    this.bucket =
      limits.rateLimit > 0 ? new TokenBucket(limits.rateLimit, limits.rateBurst, now) : null;
  }

  /** The transport: a TCP socket or a WebSocket's adapter; session code never asks which. */
  get connection(): Connection {
    return this.sink;
  }

  /**
   * The peer's address, as bans and the per-address cap count it: read from
   * the connection when asked (Bun keeps it after the close) rather than stored
   * in each of ten thousand connections. An IPv4 peer of a socket listening
   * on "::" shows as ::ffff:a.b.c.d; it counts as a.b.c.d.
   */
  get host(): string {
    const address = this.sink.remoteAddress ?? "";
    return address.startsWith("::ffff:") ? address.slice(7) : address;
  }

  /**
   * "host:port" of the peer, for the log. Built when asked rather than
   * stored: most connections are never logged (--quiet).
   */
  get address(): string {
    if (this.remotePort === 0) this.remotePort = this.sink.remotePort ?? 0;
    return this.remotePort === 0 ? this.host : hostPort(this.host, this.remotePort);
  }

  /** Gave the operator password (/op). */
  get operator(): boolean {
    return (this.flags & Flag.Operator) !== 0;
  }

  set operator(on: boolean) {
    this.flags = on ? this.flags | Flag.Operator : this.flags & ~Flag.Operator;
  }

  /** How it connected; set by its transport before it arrives at the door ("tcp" until then). */
  get transport(): Transport {
    return TRANSPORTS[(this.flags & Flag.Transport) >> TRANSPORT_SHIFT] ?? "tcp";
  }

  set transport(kind: Transport) {
    this.flags = (this.flags & ~Flag.Transport) | (TRANSPORTS.indexOf(kind) << TRANSPORT_SHIFT);
  }

  /** Asked for protocol version 2 (`CAP papo/2`): every line it reads carries tags. */
  get v2(): boolean {
    return (this.flags & Flag.V2) !== 0;
  }

  set v2(on: boolean) {
    this.flags = on ? this.flags | Flag.V2 : this.flags & ~Flag.V2;
  }

  /** Its name clock runs in the door's line of clocks (name-clock.ts's Door). */
  get onDoorClock(): boolean {
    return (this.flags & Flag.DoorClock) !== 0;
  }

  set onDoorClock(on: boolean) {
    this.flags = on ? this.flags | Flag.DoorClock : this.flags & ~Flag.DoorClock;
  }

  /** The peer shut down its sending side; what it sent before is still being worked through. */
  get peerEnded(): boolean {
    return (this.flags & Flag.PeerEnded) !== 0;
  }

  set peerEnded(on: boolean) {
    this.flags = on ? this.flags | Flag.PeerEnded : this.flags & ~Flag.PeerEnded;
  }

  /** True for its first line only (`CAP` counts only as the first): call once per line. */
  firstLine(): boolean {
    const first = (this.flags & Flag.Spoke) === 0;
    this.flags |= Flag.Spoke;
    return first;
  }

  /** Stop reading the connection for `reason` (TCP then pushes back on the peer). */
  hold(reason: number): void {
    this.holds |= reason;
    if ((this.flags & Flag.Paused) !== 0) return;
    this.flags |= Flag.Paused;
    this.sink.pause();
  }

  /** Read the connection again if nothing holds it any more. */
  readAgain(): void {
    if (this.holds !== 0 || (this.flags & Flag.Paused) === 0) return;
    this.flags &= ~Flag.Paused;
    this.sink.resume();
  }

  clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  clearWaitTimer(): void {
    if (this.waitTimer !== null) clearTimeout(this.waitTimer);
    this.waitTimer = null;
  }
}
