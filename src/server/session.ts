/**
 * One client's life in the room, read top to bottom: greeting, name, join,
 * lines and commands, leaving. Socket wiring lives in server.ts; the exact
 * text of each line lives in protocol/messages.ts.
 */

import type { ServerConfig } from "../config.ts";
import { CLOSE_FLUSH_MS, PROTOCOL } from "../config.ts";
import { parseInput } from "../protocol/commands.ts";
import { encodeLine, LINE_TOO_LONG } from "../protocol/lines.ts";
import { chat, server as say } from "../protocol/messages.ts";
import { checkName } from "../protocol/names.ts";
import { isBlank, sanitize } from "../protocol/sanitize.ts";
import type { Client } from "./client.ts";
import type { Log } from "./log.ts";
import type { Room } from "./room.ts";

/** What every session shares: the room, the limits, the log. */
export interface Context {
  readonly room: Room<Client>;
  readonly config: ServerConfig;
  readonly log: Log;
}

/** The same for everyone: encoded once. */
const GREETING = encodeLine(say.greeting());

/** A new connection: greet it and start the clock for choosing a name. */
export function greet(ctx: Context, client: Client): void {
  ctx.log.event(client, "connected");
  client.send(GREETING);
  if (ctx.config.nameTimeoutMs > 0) {
    client.timer = setTimeout(() => nameTimedOut(ctx, client), ctx.config.nameTimeoutMs);
  }
}

/** Bytes arrived: frame them into lines and act on each, in order. */
export function receive(ctx: Context, client: Client, chunk: Uint8Array): void {
  if (client.phase !== "naming" && client.phase !== "joined") return;
  const lines = client.decoder.push(chunk);
  const now = performance.now();
  for (const line of lines) {
    // A /quit (or an eviction) ends the conversation; ignore what followed it.
    if (client.phase !== "naming" && client.phase !== "joined") return;
    if (!client.bucket.take(now)) {
      if (client.bucket.shouldWarn(now)) tell(ctx, client, say.slowDown());
      continue;
    }
    if (line === LINE_TOO_LONG) {
      tell(ctx, client, say.lineTooLong());
      continue;
    }
    const text = sanitize(line);
    if (client.phase === "naming") chooseName(ctx, client, text);
    else act(ctx, client, text);
  }
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
      quit(ctx, client, input.reason);
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

function quit(ctx: Context, client: Client, reason: string): void {
  ctx.room.leave(client, reason || undefined);
  client.send(encodeLine(say.bye()));
  closeGracefully(client, "quit");
}

/** One line for one client, in order with everything else it receives. */
function tell(ctx: Context, client: Client, line: string): void {
  if (client.phase === "joined") ctx.room.fanout.toOne(client, line);
  else client.send(encodeLine(line));
}

function nameTimedOut(ctx: Context, client: Client): void {
  client.timer = null;
  if (client.phase !== "naming") return;
  client.send(encodeLine(say.nameTimeout(ctx.config.nameTimeoutMs / 1000)));
  closeGracefully(client, "no name given");
}

/**
 * Stop reading, let the outbox drain, then end the socket. A peer that does
 * not read its last bytes (or never closes its side) is cut off after a bound.
 */
export function closeGracefully(client: Client, why: string): void {
  if (client.phase === "closing" || client.phase === "closed") return;
  client.phase = "closing";
  client.endReason = why;
  client.clearTimer();
  client.timer = setTimeout(() => client.socket.terminate(), CLOSE_FLUSH_MS);
  if (client.empty) client.socket.end();
}

/**
 * The peer will send nothing more (it shut down its side, like nc at the end of
 * its input): leave the room, then close once what it is owed has been sent.
 */
export function peerEnded(ctx: Context, client: Client): void {
  ctx.room.leave(client);
  closeGracefully(client, "disconnected");
}

/** The socket can take more: send the backlog, and finish a goodbye once it is out. */
export function drained(client: Client): void {
  if (client.flush() && client.phase === "closing") client.socket.end();
}

/** Readers whose backlog passed the cap: out of the room, connection cut. */
export function evict(ctx: Context, slow: Client[]): void {
  for (const client of slow) {
    ctx.room.leave(client, "too slow");
    client.phase = "closing";
    client.endReason = "too slow";
    client.clear();
    client.socket.terminate();
  }
}

/** The socket closed, for whatever reason: forget the client everywhere, at once. */
export function closed(ctx: Context, client: Client, error?: Error): void {
  if (client.phase === "closed") return;
  client.phase = "closed";
  client.clearTimer();
  client.clear();
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
