/**
 * Baseline: the floor. The leanest relay on Bun.listen, to show what any
 * server on Bun pays at least: the first line is the name (answered with one
 * greeting, "* hello NAME"), every later line goes to everyone else as
 * "<name> text". No commands, no caps, no sanitising, no decoding: bytes in,
 * bytes out.
 *
 * Every line of an event-loop turn is copied once into one shared buffer;
 * when the turn ends (setImmediate) each client gets the turn in one write.
 * A client that sent in the turn must not hear itself: it gets the turn with
 * its own lines left out, gathered into one write when that is small, else
 * the pieces around its own lines. What the kernel does
 * not take waits in the client's pending bytes (no cap) and goes out on drain.
 *
 * Usage: bun bench/baselines/floor.ts [--port N] [--host H]
 */

import { parseArgs } from "node:util";
import type { Socket } from "bun";

const NL = 0x0a;

interface Client {
  /** "<name> ", once named; null before. */
  prefix: Uint8Array | null;
  /** The start of a line not ended yet. */
  carry: Uint8Array | null;
  /** Bytes the kernel has not taken yet: pending[head, tail). */
  pending: Uint8Array | null;
  head: number;
  tail: number;
  /** The turn in which `own` was filled; `own` is stale in any other. */
  turn: number;
  /** This turn's lines of this client in the shared buffer: start, end, start, end... */
  own: number[] | null;
}

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
  },
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const named = new Set<Socket<Client>>();
const senders: Socket<Client>[] = [];

let turn = 1;
let buffer = new Uint8Array(64 * 1024);
let used = 0;
/** A sender's share of the turn up to this size is copied into one write; larger, one write per piece. */
const GATHER_BYTES = 16 * 1024;
const scratch = new Uint8Array(GATHER_BYTES);
let scheduled = false;

function room(bytes: number): void {
  if (used + bytes <= buffer.length) return;
  const bigger = new Uint8Array(Math.max(buffer.length * 2, used + bytes));
  bigger.set(buffer.subarray(0, used));
  buffer = bigger;
}

/** Write now if nothing waits, else queue behind what does. */
function send(socket: Socket<Client>, bytes: Uint8Array, from: number, to: number): void {
  const c = socket.data;
  let at = from;
  if (c.pending === null) {
    const taken = socket.write(bytes, from, to - from);
    if (taken < 0 || taken >= to - from) return;
    at += taken;
  }
  const length = to - at;
  if (c.pending === null) {
    c.pending = bytes.slice(at, to);
    c.head = 0;
    c.tail = length;
    return;
  }
  if (c.tail + length > c.pending.length) {
    const kept = c.tail - c.head;
    const grown = new Uint8Array(Math.max(c.pending.length * 2, kept + length));
    grown.set(c.pending.subarray(c.head, c.tail));
    c.pending = grown;
    c.head = 0;
    c.tail = kept;
  }
  c.pending.set(bytes.subarray(at, to), c.tail);
  c.tail += length;
}

function drain(socket: Socket<Client>): void {
  const c = socket.data;
  if (c.pending === null) return;
  const taken = socket.write(c.pending, c.head, c.tail - c.head);
  if (taken < 0 || c.head + taken >= c.tail) c.pending = null;
  else c.head += taken;
}

function ownBytes(own: number[]): number {
  let n = 0;
  for (let i = 0; i < own.length; i += 2) n += (own[i + 1] as number) - (own[i] as number);
  return n;
}

/** The end of the turn: the shared buffer to every named client, senders without their own lines. */
function deliver(): void {
  scheduled = false;
  const end = used;
  for (const socket of named) {
    if (socket.data.turn !== turn) send(socket, buffer, 0, end);
  }
  for (const socket of senders) {
    const own = socket.data.own as number[];
    socket.data.own = null;
    if (!named.has(socket)) continue;
    // The rest of the turn: gathered into one write when small, else written piece by piece
    // (a copy of a big turn per sender costs more than another write).
    const gather = end - ownBytes(own) <= GATHER_BYTES;
    let length = 0;
    let at = 0;
    for (let i = 0; i <= own.length; i += 2) {
      const stop = i < own.length ? (own[i] as number) : end;
      if (stop > at) {
        if (gather) scratch.set(buffer.subarray(at, stop), length);
        else send(socket, buffer, at, stop);
        length += stop - at;
      }
      at = (own[i + 1] as number) ?? end;
    }
    if (gather && length > 0) send(socket, scratch, 0, length);
  }
  senders.length = 0;
  used = 0;
  turn++;
}

function line(socket: Socket<Client>, bytes: Uint8Array, from: number, to: number): void {
  const c = socket.data;
  if (c.prefix === null) {
    const name = bytes.subarray(from, to);
    c.prefix = new Uint8Array(name.length + 3);
    c.prefix[0] = 0x3c; // "<"
    c.prefix.set(name, 1);
    c.prefix[name.length + 1] = 0x3e; // ">"
    c.prefix[name.length + 2] = 0x20;
    named.add(socket);
    const hello = encoder.encode(`* hello ${decoder.decode(name)}\n`);
    send(socket, hello, 0, hello.length);
    return;
  }
  const start = used;
  room(c.prefix.length + (to - from) + 1);
  buffer.set(c.prefix, used);
  used += c.prefix.length;
  buffer.set(bytes.subarray(from, to), used);
  used += to - from;
  buffer[used++] = NL;
  if (c.turn !== turn) {
    c.turn = turn;
    c.own = [start, used];
    senders.push(socket);
  } else {
    const own = c.own as number[];
    if (own[own.length - 1] === start) own[own.length - 1] = used;
    else own.push(start, used);
  }
  if (!scheduled) {
    scheduled = true;
    setImmediate(deliver);
  }
}

function data(socket: Socket<Client>, chunk: Uint8Array): void {
  const c = socket.data;
  let bytes = chunk;
  if (c.carry !== null) {
    bytes = new Uint8Array(c.carry.length + chunk.length);
    bytes.set(c.carry);
    bytes.set(chunk, c.carry.length);
    c.carry = null;
  }
  let at = 0;
  for (;;) {
    const nl = bytes.indexOf(NL, at);
    if (nl === -1) break;
    line(socket, bytes, at, nl);
    at = nl + 1;
  }
  if (at < bytes.length) c.carry = bytes.slice(at);
}

const server = Bun.listen<Client>({
  hostname: values.host ?? "127.0.0.1",
  port: Number(values.port),
  socket: {
    binaryType: "uint8array",
    open: (socket) => {
      socket.data = {
        prefix: null,
        carry: null,
        pending: null,
        head: 0,
        tail: 0,
        turn: 0,
        own: null,
      };
    },
    data,
    drain,
    close: (socket) => {
      named.delete(socket);
      socket.data.pending = null;
    },
    error: () => {},
  },
});

process.stdout.write(`floor listening on ${server.hostname}:${server.port}\n`);
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
