/**
 * The WebSocket transport: a browser member's connection as a
 * {@link Connection}, and the handlers that turn its events into the same
 * session calls a TCP socket's make. A frame carries whole lines, as bytes
 * of the line protocol: what a browser sends goes into the member's
 * LineDecoder (a frame without a final newline is one line more), and what
 * the fan-out hands over (one Uint8Array per turn) goes out as it is.
 *
 * Frames to the browser are text frames of whole lines. Bun's sendText()
 * takes a string, so bytes must become text, and that costs per byte (the
 * decode, and a string the collector must free): the very cost a member
 * would add over TCP. The fan-out writes a turn's same bytes (a segment of
 * the room's log) to every member who took no part in it, and ranges of
 * them to those who did, all in one synchronous pass: {@link FrameTexts}
 * decodes them once in that pass and hands every member the same string,
 * or a substring of it (no copy) for a range, so a turn costs one decode
 * however many members read it, as a TCP turn costs one encode.
 *
 * Backpressure stays papo's: send() returns the bytes written, -1 when Bun
 * buffered them (copied) and the socket is now behind, 0 when it dropped
 * them. After -1 or 0 this adapter takes nothing more until Bun's drain, so
 * the member stays behind in the room's log like a TCP member whose socket
 * is full (a position, not a copy), and Bun never holds more than about one
 * frame of its own.
 */

import type { ServerWebSocket } from "bun";
import { arrive } from "../admission/door.ts";
import { Client } from "../session/client.ts";
import { type Context, talking, words } from "../session/context.ts";
import * as input from "../session/input.ts";
import * as session from "../session/lifecycle.ts";
import { goodbye } from "../session/output.ts";
import type { Connection } from "./connection.ts";

/**
 * The web client's WebSocket. A frame carries whole lines; frames the server
 * sends are cut at a line's end past `frameBytes`, so a backlog written at
 * once never becomes one huge frame held by Bun besides papo's own queue.
 */
export const WEB = {
  /** Longest frame a browser may send, as lines of --max-line-bytes: more closes with 1009. */
  framesOfLines: 16,
  /** A frame the server sends is cut at the first line end past this many bytes. */
  frameBytes: 64 * 1024,
  /**
   * Input read but not yet acted on, while something holds the member (flood
   * control, pacing, a password's wait), in longest frames: past it the
   * member is told so and closed (1 MiB at the defaults). Pausing a
   * WebSocket still delivers what was already read (about one read), so a
   * browser that plays by the rules stays far below it.
   */
  heldFrames: 16,
  /** Seconds without a frame or a pong before Bun closes the socket; it pings before. */
  idleTimeoutSeconds: 120,
} as const;

/** Per-WebSocket state (Bun's ws.data): set at the upgrade, the client once open. */
export interface WebData {
  client: Client | null;
  connection: WebSocketConnection | null;
  /**
   * The peer as the HTTP request came (requestIP), or the client a trusted
   * proxy forwarded it for (port 0), kept for the gate and the log.
   */
  readonly address: string;
  readonly port: number;
}

const NL = 0x0a;
const encoder = new TextEncoder();

/** A browser member's connection: the Connection contract over Bun's ServerWebSocket. */
export class WebSocketConnection implements Connection {
  /** Bun holds bytes of ours it has not written: take nothing more until drain. */
  private behind = false;

  constructor(private readonly ws: ServerWebSocket<WebData>) {}

  get remoteAddress(): string {
    return this.ws.data.address;
  }

  get remotePort(): number {
    return this.ws.data.port;
  }

  /** Send whole-line frames until Bun is behind; returns the bytes taken, -1 once closed. */
  write(data: Uint8Array, offset: number, length: number): number {
    if (this.ws.readyState !== 1) return -1;
    let taken = 0;
    while (taken < length && !this.behind) {
      const start = offset + taken;
      const size = frameLength(data, start, length - taken, WEB.frameBytes);
      const status = this.ws.sendText(texts.of(data, start, size, length));
      // 0: dropped, nothing taken; the member stays at that line for the drain.
      if (status === 0) this.behind = true;
      else {
        // -1: taken (copied), and Bun is now behind.
        if (status === -1) this.behind = true;
        taken += size;
      }
    }
    return taken;
  }

  /** Bun wrote what it held: writing may go on. */
  drained(): void {
    this.behind = false;
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  /** A WebSocket has no half-close: the close frame follows what was sent. */
  shutdown(): void {
    this.ws.close(1000);
  }

  end(): void {
    this.ws.close(1000);
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** Bytes decoded once in a pass, with the copy a later write of them is checked against. */
interface Decoded {
  readonly copy: Buffer;
  readonly text: string;
  /** One UTF-16 unit per byte (ASCII): byte offsets are string offsets, a range a substring. */
  readonly ascii: boolean;
  /** Otherwise, frames of a range decoded once each, by where they start. */
  readonly frames: Map<number, { size: number; text: string }>;
}

/**
 * The text of bytes handed to write(), decoded once per synchronous pass
 * (what one turn's delivery is) for every write of the same bytes: the same
 * string for all of them, a substring for a frame or a range of ASCII text,
 * and for a range of other text its own decode, once per frame. A write of
 * less than half of them (a member behind, finishing a turn) has its frames
 * decoded on their own.
 *
 * NOTE: the Connection contract lets the caller reuse its buffer as soon as
 * write() returns (the fan-out gathers a sender's share into one scratch
 * buffer, sender after sender), so identity alone proves nothing: a hit is
 * checked against a copy first (a memcmp, a tenth of a decode), and bytes
 * that changed are decoded afresh, never sent stale.
 */
export class FrameTexts {
  private readonly decoded = new Map<Uint8Array, Decoded>();
  private readonly forget = () => this.decoded.clear();

  /** The text of frame `data[start, start+size)`, of a write of `written` bytes of `data`. */
  of(data: Uint8Array, start: number, size: number, written: number): string {
    const end = start + size;
    let d = this.decoded.get(data);
    if (d !== undefined && d.copy.compare(data, start, end, start, end) !== 0) d = undefined;
    if (d === undefined) {
      if (written * 2 < data.length) return decoder.decode(data.subarray(start, end));
      d = this.decode(data);
    }
    if (size === data.length) return d.text;
    if (d.ascii) return d.text.slice(start, end);
    let frame = d.frames.get(start);
    if (frame === undefined || frame.size !== size) {
      frame = { size, text: decoder.decode(data.subarray(start, end)) };
      d.frames.set(start, frame);
    }
    return frame.text;
  }

  private decode(data: Uint8Array): Decoded {
    const text = decoder.decode(data);
    const ascii = text.length === data.length;
    const d = { copy: Buffer.from(data), text, ascii, frames: new Map() };
    // Kept until the pass ends: a turn's bytes, never a backlog's.
    if (this.decoded.size === 0) queueMicrotask(this.forget);
    this.decoded.set(data, d);
    return d;
  }
}

const decoder = new TextDecoder();
const texts = new FrameTexts();

/**
 * Bytes of `data[start, start+length)` that make the next frame: all of them
 * up to `max`, else up to the first line end at or past `max`, so that every
 * frame holds whole lines. Pure.
 */
export function frameLength(data: Uint8Array, start: number, length: number, max: number): number {
  if (length <= max) return length;
  const nl = data.indexOf(NL, start + max - 1);
  return nl === -1 || nl >= start + length ? length : nl + 1 - start;
}

/** A frame's bytes as protocol input: UTF-8 for text, as sent for binary; a final newline added. */
export function frameInput(message: string | Uint8Array): Uint8Array {
  if (typeof message === "string") {
    return encoder.encode(message.endsWith("\n") ? message : `${message}\n`);
  }
  // Copied: the decoder may hold it across events.
  const ends = message.length > 0 && message[message.length - 1] === NL;
  const bytes = new Uint8Array(message.length + (ends ? 0 : 1));
  bytes.set(message);
  if (!ends) bytes[message.length] = NL;
  return bytes;
}

export function opened(ctx: Context, ws: ServerWebSocket<WebData>): void {
  const connection = new WebSocketConnection(ws);
  const client = new Client(connection, ctx.config, performance.now());
  client.transport = "ws";
  ws.data.connection = connection;
  ws.data.client = client;
  arrive(ctx, client);
}

export function received(
  ctx: Context,
  ws: ServerWebSocket<WebData>,
  message: string | Uint8Array,
): void {
  const client = ws.data.client;
  if (client === null) return;
  input.receive(ctx, client, frameInput(message));
  // Held input has nowhere else to wait (pausing a WebSocket still delivers
  // what was read): past the bound, the member is told and closed.
  const bound = ctx.config.maxLineBytes * WEB.framesOfLines * WEB.heldFrames;
  if (talking(client) && client.decoder.heldBytes > bound) {
    // Out of the room first: its goodbye is the last line it gets, and nobody lists it after.
    ctx.room.leave(client);
    goodbye(ctx, client, words(client).tooMuchInput(), "too much input");
  }
}

export function drained(ctx: Context, ws: ServerWebSocket<WebData>): void {
  const { client, connection } = ws.data;
  if (client === null || connection === null) return;
  connection.drained();
  session.drained(ctx, client);
}

export function closed(ctx: Context, ws: ServerWebSocket<WebData>): void {
  const client = ws.data.client;
  if (client !== null) session.closed(ctx, client);
}

/** A handler threw (a bug, never bad input): log it, cut this connection only. */
export function failed(ctx: Context, ws: ServerWebSocket<WebData>, error: Error): void {
  const client = ws.data.client;
  if (client !== null) session.failed(ctx, client, error);
  else ws.terminate();
}
