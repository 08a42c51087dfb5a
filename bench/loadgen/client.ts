/**
 * One simulated chat client inside a load generator, and the socket handlers
 * they all share. Built to cost the load generator as little as possible: once
 * a client is in the room it counts "\n" bytes (and looks at the first byte of
 * each line to tell notices from chat) without ever decoding text. Only lines
 * that matter are parsed: the welcome, a /who answer, and send timestamps.
 */

import type { Socket, SocketHandler } from "bun";
import { Outbox, type Sink } from "../../src/net/outbox.ts";
import { Histogram } from "./histogram.ts";
import { nowUs } from "./protocol.ts";

const NL = 0x0a;
const STAR = 0x2a; // "*": notices
const BANG = 0x21; // "!": errors
const GT = 0x3e; // ">": end of the "<name>" of a chat line
const ZERO = 0x30;
const T = 0x54; // "T": a send stamp follows

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** Counters shared by a group of clients (a worker's clients, or its churners). */
export class Tally {
  joined = 0;
  closed = 0;
  /** Lines completed after joining, notices included. */
  newlines = 0;
  notices = 0;
  /** Bytes the clients wrote that the kernel has not taken yet. */
  unsent = 0;
  lastUs = 0;
  readonly latency = new Histogram();
  /** Called when `unsent` drops to 0. */
  onFlushed: (() => void) | null = null;
  /** Called when `unsent` drops to `lowWater` or below. */
  onLow: (() => void) | null = null;
  lowWater = 0;

  get lines(): number {
    return this.newlines - this.notices;
  }
}

/** What a simulated client writes to and controls: a Bun socket, or a WebSocket's adapter (websocket.ts). */
export interface Link extends Sink {
  pause(): void;
  resume(): void;
  end(): void;
  terminate(): void;
}

export class SimClient {
  socket: Link | null = null;
  /** What the kernel has not taken yet, written out on drain; there once the socket opens. */
  private outbox: Outbox | null = null;
  joined = false;
  closed = false;
  newlines = 0;
  notices = 0;
  /** When this client last received a chat line, in µs of {@link nowUs}; 0 if never. */
  lastUs = 0;
  /** The next byte received starts a line (used by the counting fast path). */
  atLineStart = true;
  /** Bytes of a line that started in an earlier chunk (parsing path only). */
  carry: Uint8Array | null = null;
  /** Resolves the join: true when welcomed, false when refused or closed first. */
  onJoin: ((ok: boolean, why?: string) => void) | null = null;
  /** Gets each notice as text while set; returns true when it has what it waited for. */
  watcher: ((line: string) => boolean) | null = null;

  constructor(
    readonly name: string,
    readonly tally: Tally,
    /** Parse "T<µs>" send stamps from chat lines into the tally's latency histogram. */
    readonly stamped: boolean,
  ) {}

  get lines(): number {
    return this.newlines - this.notices;
  }

  /** The socket is open: writes go through an outbox on it (no cap: we are the sender). */
  opened(socket: Link): void {
    this.socket = socket;
    this.outbox = new Outbox(socket, Number.POSITIVE_INFINITY);
  }

  /** Write bytes in order; what the kernel does not take waits for drain. */
  write(bytes: Uint8Array): void {
    const outbox = this.outbox;
    if (outbox === null || this.closed) return;
    const before = outbox.backlog;
    outbox.send(bytes);
    this.account(outbox.backlog - before);
  }

  /** The socket drained: write what waits. */
  flush(): void {
    const outbox = this.outbox;
    if (outbox === null) return;
    const before = outbox.backlog;
    outbox.flush();
    this.account(outbox.backlog - before);
  }

  /** Forget unsent bytes (the socket is gone). */
  dropBacklog(): void {
    const outbox = this.outbox;
    if (outbox === null) return;
    const before = outbox.backlog;
    outbox.dropBacklog();
    this.account(-before);
  }

  /** Keep the tally's count of unsent bytes, and tell whoever waits once it is 0. */
  private account(change: number): void {
    if (change === 0) return;
    const t = this.tally;
    t.unsent += change;
    if (t.unsent <= t.lowWater) t.onLow?.();
    if (t.unsent === 0) t.onFlushed?.();
  }
}

export function received(c: SimClient, chunk: Uint8Array): void {
  if (c.joined && c.watcher === null && !c.stamped && c.carry === null) countLines(c, chunk);
  else parseLines(c, chunk);
}

/** The fast path: count newlines, classify each line by its first byte. */
function countLines(c: SimClient, chunk: Uint8Array): void {
  const end = chunk.length;
  let at = 0;
  let lines = 0;
  let notices = 0;
  let atStart = c.atLineStart;
  while (at < end) {
    if (atStart) {
      const first = chunk[at];
      if (first === STAR || first === BANG) notices++;
    }
    const nl = chunk.indexOf(NL, at);
    if (nl === -1) {
      atStart = false;
      break;
    }
    lines++;
    atStart = true;
    at = nl + 1;
  }
  c.atLineStart = atStart;
  add(c, lines, notices);
}

function add(c: SimClient, lines: number, notices: number): void {
  if (lines === 0 && notices === 0) return;
  c.newlines += lines;
  c.notices += notices;
  const t = c.tally;
  t.newlines += lines;
  t.notices += notices;
  if (lines > notices) {
    const now = nowUs();
    t.lastUs = now;
    c.lastUs = now;
  }
}

/** The parsing path: whole lines, joined across chunks, for the few clients that need them. */
function parseLines(c: SimClient, chunk: Uint8Array): void {
  let at = 0;
  const end = chunk.length;
  if (!c.atLineStart && c.carry === null) {
    // The rest of a line the fast path already classified: only its end counts.
    const nl = chunk.indexOf(NL);
    if (nl === -1) return;
    add(c, 1, 0);
    c.atLineStart = true;
    at = nl + 1;
  }
  const now = c.stamped ? nowUs() : 0;
  if (c.carry !== null) {
    const nl = chunk.indexOf(NL, at);
    const piece = chunk.subarray(at, nl === -1 ? end : nl);
    const line = new Uint8Array(c.carry.length + piece.length);
    line.set(c.carry);
    line.set(piece, c.carry.length);
    if (nl === -1) {
      c.carry = line;
      return;
    }
    c.carry = null;
    oneLine(c, line, 0, line.length, now);
    at = nl + 1;
  }
  while (at < end) {
    const nl = chunk.indexOf(NL, at);
    if (nl === -1) {
      c.carry = chunk.slice(at);
      return;
    }
    oneLine(c, chunk, at, nl, now);
    at = nl + 1;
  }
}

/** Act on one complete line, bytes[start, stop) without its "\n". */
function oneLine(c: SimClient, bytes: Uint8Array, start: number, stop: number, now: number): void {
  const first = bytes[start];
  if (!c.joined) {
    const text = utf8.decode(bytes.subarray(start, stop));
    if (text.startsWith("* hello ")) {
      c.joined = true;
      c.tally.joined++;
      c.onJoin?.(true);
      c.onJoin = null;
    } else if (first === BANG) {
      c.onJoin?.(false, text);
      c.onJoin = null;
    }
    return;
  }
  if (first === STAR || first === BANG) {
    add(c, 1, 1);
    if (c.watcher?.(utf8.decode(bytes.subarray(start, stop)))) c.watcher = null;
    return;
  }
  add(c, 1, 0);
  if (c.stamped) {
    const sent = stampOf(bytes, start, stop);
    if (sent > 0) c.tally.latency.record(now - sent);
  }
}

/** The µs stamp of a chat line "<name> T<digits>...", or 0 if it has none. */
function stampOf(bytes: Uint8Array, start: number, stop: number): number {
  const gt = bytes.indexOf(GT, start);
  let at = gt + 3; // past "> T"
  // An unstamped line (the cluster scenario's crowd runs on stamped clients) has no "T".
  if (gt === -1 || at >= stop || bytes[gt + 2] !== T) return 0;
  let value = 0;
  while (at < stop) {
    const digit = (bytes[at] as number) - ZERO;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
    at++;
  }
  return value;
}

export function closed(c: SimClient): void {
  if (c.closed) return;
  c.closed = true;
  c.tally.closed++;
  c.dropBacklog();
  c.onJoin?.(false, "closed before being welcomed");
  c.onJoin = null;
}

/** The one handlers object every simulated client uses. */
export const handlers: SocketHandler<SimClient> = {
  binaryType: "uint8array",
  open: (socket) => opened(socket),
  data: (socket, chunk) => received(socket.data, chunk),
  drain: (socket) => socket.data.flush(),
  close: (socket) => closed(socket.data),
  // The close that follows an error does the counting.
  error: () => {},
  connectError: (socket, error) => {
    socket.data.onJoin?.(false, error.message);
    socket.data.onJoin = null;
  },
};

function opened(socket: Socket<SimClient>): void {
  start(socket.data, socket);
}

/** A client's connection is open: it sends its name at once. */
export function start(c: SimClient, link: Link): void {
  c.opened(link);
  // The name goes out at once: the server reads it after sending its greeting.
  c.write(encoder.encode(`${c.name}\n`));
}
