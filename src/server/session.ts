/**
 * One client's life in the room, read top to bottom: greeting, name, join,
 * lines and commands, leaving. Socket wiring lives in server.ts; the exact
 * text of each line lives in protocol/messages.ts.
 *
 * Input is worked through line by line for as long as flood control and the
 * turn's budget allow. What cannot be handled yet stays in the decoder (at
 * most one read) while the socket is paused, so the kernel and TCP hold the
 * rest and nothing a client sends is dropped. Every line to a client goes
 * through the fan-out, whose turn report evicts readers past their cap.
 */

import type { ServerConfig } from "../config.ts";
import { CLOSE_FLUSH_MS, PROTOCOL } from "../config.ts";
import { Sent } from "../net/outbox.ts";
import { parseInput } from "../protocol/commands.ts";
import { type Decoded, encodeLine, LINE_TOO_LONG } from "../protocol/lines.ts";
import { chat, server as say } from "../protocol/messages.ts";
import { checkName } from "../protocol/names.ts";
import { isBlank, sanitize } from "../protocol/sanitize.ts";
import { type Client, Hold } from "./client.ts";
import type { Log } from "./log.ts";
import type { Room } from "./room.ts";

/** What every session shares: the room, the limits, the log. */
export interface Context {
  readonly room: Room<Client>;
  readonly config: ServerConfig;
  readonly log: Log;
  /** Clients whose input waits for the next turn. */
  readonly waiting: Waiting;
}

/** Clients whose input waits for the next turn, first come first served. */
export class Waiting {
  readonly clients = new Set<Client>();
  /** A next turn is queued (exactly one, however many clients wait). */
  scheduled = false;
}

/** A new connection: greet it and start the clock for choosing a name. */
export function greet(ctx: Context, client: Client): void {
  ctx.log.event(client, "connected");
  tell(ctx, client, say.greeting());
  if (ctx.config.nameTimeoutMs > 0) {
    client.timer = setTimeout(() => nameTimedOut(ctx, client), ctx.config.nameTimeoutMs);
  }
}

/** Bytes arrived: keep them, and work through them unless something holds this client. */
export function receive(ctx: Context, client: Client, chunk: Uint8Array): void {
  // Closing: read and discard until the peer closes, so it is never answered with a reset.
  if (!talking(client)) return;
  client.decoder.feed(chunk);
  if (client.holds !== 0) return;
  // Others wait for a turn already: queue behind them rather than take the turn they wait for.
  if (ctx.waiting.clients.size > 0) defer(ctx, client);
  else work(ctx, client);
}

function talking(client: Client): boolean {
  return client.phase === "naming" || client.phase === "joined";
}

/**
 * Act on the lines received so far, in order, until they run out, flood
 * control makes the next one wait, or the turn is full.
 */
function work(ctx: Context, client: Client): void {
  const { room } = ctx;
  // Most of the room is behind: this member waits with the senders (the pacer resumes it).
  if (client.decoder.holding && room.mustWait(client)) return;
  while (talking(client)) {
    if (!client.decoder.holding && !client.peerEnded) break;
    if (room.fanout.full) {
      defer(ctx, client);
      return;
    }
    const now = performance.now();
    const wait = client.bucket.wait(now);
    if (wait > 0) {
      delay(ctx, client, now, wait);
      return;
    }
    const line = client.decoder.next() ?? (client.peerEnded ? client.decoder.finish() : undefined);
    if (line === undefined) break;
    client.bucket.take(now);
    handle(ctx, client, line);
  }
  if (client.peerEnded && talking(client)) {
    // Everything it sent before its end has been handled: now it leaves.
    room.leave(client);
    closeGracefully(client, "disconnected");
    return;
  }
  client.readAgain();
}

function handle(ctx: Context, client: Client, line: Decoded): void {
  if (line === LINE_TOO_LONG) {
    tell(ctx, client, say.lineTooLong());
    return;
  }
  const text = sanitize(line);
  if (client.phase === "naming") chooseName(ctx, client, text);
  else act(ctx, client, text);
}

/** The turn has gathered enough: this client's input waits for the next one. */
function defer(ctx: Context, client: Client): void {
  const { waiting } = ctx;
  client.hold(Hold.Turn);
  waiting.clients.add(client);
  if (waiting.scheduled) return;
  waiting.scheduled = true;
  setImmediate(() => nextTurn(ctx));
}

/**
 * A new turn for the clients that were waiting, oldest first. When the turn
 * fills up again, those not reached go first next time and the one that
 * filled it goes last, so one client with a full read cannot starve the rest.
 */
function nextTurn(ctx: Context): void {
  const { waiting } = ctx;
  waiting.scheduled = false;
  const queue = [...waiting.clients];
  waiting.clients.clear();
  for (let i = 0; i < queue.length; i++) {
    const client = queue[i] as Client;
    client.holds &= ~Hold.Turn;
    // Paced or delayed: that hold's own release calls work() again.
    if (client.holds !== 0) continue;
    work(ctx, client);
    if (!ctx.room.fanout.full || i + 1 === queue.length) continue;
    const again = waiting.clients.delete(client);
    for (const rest of queue.slice(i + 1)) defer(ctx, rest);
    if (again) defer(ctx, client);
    return;
  }
}

/** Over its rate: the next line waits for a token; the sender hears once per burst. */
function delay(ctx: Context, client: Client, now: number, wait: number): void {
  if (client.bucket.shouldWarn(now)) tell(ctx, client, say.slowDown(ctx.config.rateLimit));
  client.hold(Hold.Flood);
  client.clearFloodTimer();
  client.floodTimer = setTimeout(() => {
    client.floodTimer = null;
    client.holds &= ~Hold.Flood;
    if (client.holds === 0) work(ctx, client);
  }, Math.ceil(wait));
}

/** The pacer stopped this sender: the room's readers are behind. */
export function pace(client: Client): void {
  if (talking(client)) client.hold(Hold.Paced);
}

/** The room's readers caught up: take this sender's input again. */
export function unpace(ctx: Context, client: Client): void {
  if ((client.holds & Hold.Paced) === 0) return;
  client.holds &= ~Hold.Paced;
  if (client.holds === 0 && talking(client)) work(ctx, client);
}

function chooseName(ctx: Context, client: Client, text: string): void {
  if (isBlank(text)) return;
  const check = checkName(text);
  if (!check.ok) {
    tell(ctx, client, say.invalidName(check.reason));
  } else if (!ctx.room.join(client, check.name)) {
    tell(ctx, client, say.nameTaken(check.name));
  } else {
    client.phase = "joined";
    client.clearTimer();
    ctx.log.event(client, "joined");
  }
}

function act(ctx: Context, client: Client, text: string): void {
  const { room } = ctx;
  const input = parseInput(text);
  switch (input.kind) {
    case "empty":
      break;
    case "message":
      room.fanout.toAll(chat(client.name, input.text), client);
      break;
    case "me":
      room.fanout.toAll(say.action(client.name, input.action), client);
      break;
    case "who":
      tell(ctx, client, say.who(room.memberCount, room.names(PROTOCOL.whoNames)));
      break;
    case "help":
      for (const line of say.help()) tell(ctx, client, line);
      break;
    case "nick":
      rename(ctx, client, input.name);
      break;
    case "msg":
      whisper(ctx, client, input.to, input.text);
      break;
    case "quit":
      room.leave(client, input.reason || undefined);
      goodbye(ctx, client, say.bye(), "quit");
      break;
    case "usage":
      tell(ctx, client, say.usage(input.usage));
      break;
    case "unknown":
      tell(ctx, client, say.unknownCommand(input.command));
      break;
  }
}

function rename(ctx: Context, client: Client, requested: string): void {
  const check = checkName(requested);
  const old = client.name;
  if (!check.ok) {
    tell(ctx, client, say.invalidName(check.reason));
  } else if (check.name === old) {
    tell(ctx, client, say.sameName(old));
  } else if (ctx.room.rename(client, check.name) === "taken") {
    tell(ctx, client, say.nameTaken(check.name));
  } else {
    ctx.log.event(client, `renamed from ${old}`);
  }
}

function whisper(ctx: Context, client: Client, to: string, text: string): void {
  const target = ctx.room.find(to);
  if (target === undefined) {
    tell(ctx, client, say.noSuchUser(to));
    return;
  }
  ctx.room.fanout.toOne(target, say.privateFrom(client.name, text));
  tell(ctx, client, say.privateTo(target.name, text));
}

/**
 * One line for one client, named or not, in order with everything else it
 * receives: through the fan-out, whose turn report evicts it past its cap.
 */
function tell(ctx: Context, client: Client, line: string): void {
  ctx.room.fanout.toOne(client, line);
}

function nameTimedOut(ctx: Context, client: Client): void {
  client.timer = null;
  if (client.phase !== "naming") return;
  goodbye(ctx, client, say.nameTimeout(ctx.config.nameTimeoutMs / 1000), "no name given");
}

/**
 * A last line, then close. What this turn already owes the client goes out
 * first (release), so the goodbye is the last line it reads.
 */
function goodbye(ctx: Context, client: Client, line: string, why: string): void {
  ctx.room.fanout.release(client);
  if (client.send(encodeLine(line)) === Sent.Overflow) {
    cut(client, "too slow");
    return;
  }
  closeGracefully(client, why);
}

/**
 * Stop acting on input, let the backlog drain, then shut down our sending
 * side and wait for the peer to close its own, reading and discarding what it
 * still sends. Closing the descriptor while the peer is still sending would
 * make the kernel answer with a reset and drop the unsent tail; a peer that
 * never reads or never closes is cut off after `flushMs`.
 */
export function closeGracefully(client: Client, why: string, flushMs = CLOSE_FLUSH_MS): void {
  if (!talking(client)) return;
  client.phase = "closing";
  client.endReason = why;
  client.clearTimer();
  client.clearFloodTimer();
  client.decoder.discard();
  client.holds = 0;
  client.readAgain();
  client.timer = setTimeout(() => client.socket.terminate(), flushMs);
  if (client.backlog === 0) finishWriting(client);
}

/** Everything owed is written: FIN after it, or close outright if the peer already ended. */
function finishWriting(client: Client): void {
  client.phase = "ending";
  if (client.peerEnded) client.socket.end();
  else client.socket.shutdown();
}

/**
 * The peer will send nothing more (it shut down its side, like nc at the end
 * of its input). Its last lines, even one without a newline, are handled;
 * then it leaves the room and is closed once what it is owed has been sent.
 */
export function peerEnded(ctx: Context, client: Client): void {
  client.peerEnded = true;
  if (client.phase === "ending" || client.phase === "closed") {
    // Both sides are done: nothing is lost by closing now.
    client.socket.end();
    return;
  }
  if (talking(client) && client.holds === 0) work(ctx, client);
}

/** The socket can take more: send the backlog, and finish a goodbye once it is out. */
export function drained(ctx: Context, client: Client): void {
  const done = client.flush();
  ctx.room.drained(client);
  if (done && client.phase === "closing") finishWriting(client);
}

/** Readers whose backlog passed the cap: out of the room, connection cut. */
export function evict(ctx: Context, slow: readonly Client[]): void {
  for (const client of slow) {
    ctx.room.leave(client, "too slow");
    cut(client, "too slow");
  }
}

/** Abort the connection now: whatever is still owed is lost. */
function cut(client: Client, why: string): void {
  if (client.phase === "closed") return;
  client.phase = "closing";
  client.endReason = why;
  client.dropBacklog();
  client.socket.terminate();
}

/** The socket closed, for whatever reason: forget the client everywhere, at once. */
export function closed(ctx: Context, client: Client, error?: Error): void {
  client.clearTimer();
  client.clearFloodTimer();
  if (client.phase === "closed") return;
  client.phase = "closed";
  client.dropBacklog();
  client.decoder.discard();
  ctx.waiting.clients.delete(client);
  ctx.room.drop(client);
  const why = client.endReason || (error ? `connection error: ${error.message}` : "disconnected");
  ctx.log.event(client, `left (${why})`);
}

/** A handler threw (a bug, never bad input): log it, cut this connection only. */
export function failed(ctx: Context, client: Client, error: Error): void {
  ctx.log.info(`error on ${client.address}: ${error.stack ?? error.message}`);
  client.endReason = `internal error: ${error.message}`;
  client.socket.terminate();
}
