/**
 * One client's life in the room, read top to bottom: greeting, password (if
 * the room has one), name, join, lines, leaving. Socket wiring lives in
 * server.ts, what a member's commands do in commands.ts, lines out and
 * closing in deliver.ts; the exact text of each line, in each language,
 * lives in protocol/messages.ts.
 *
 * Input is worked through line by line for as long as flood control, the
 * turn's budget and password penalties allow. What cannot be handled yet
 * stays in the decoder (at most one read) while the socket is paused, so the
 * kernel and TCP hold the rest and nothing a client sends is dropped. Every
 * line to a client goes through the fan-out, whose turn report evicts readers
 * past their cap.
 */

import { PROTOCOL } from "../../config.ts";
import { type Decoded, LINE_TOO_LONG } from "../../protocol/lines.ts";
import { clock, type ServerText } from "../../protocol/messages.ts";
import { checkName } from "../../protocol/names.ts";
import { type Input, parseInput } from "../../protocol/parse.ts";
import { isBlank, sanitize } from "../../protocol/sanitize.ts";
import type { Said } from "../room/room.ts";
import { type Client, Hold } from "./client.ts";
import { act, setLang } from "./commands.ts";
import { type Context, talking, words } from "./context.ts";
import { closeGracefully, cut, finishWriting, goodbye, tell } from "./output.ts";
import { awaitThen, checkPassword, waitThen } from "./waiting.ts";

/** A new connection: greet it and start the clock for getting into the room. */
export function greet(ctx: Context, client: Client): void {
  ctx.log.event(client, "connected");
  if (ctx.config.roomPassword !== "") {
    client.phase = "password";
    tell(ctx, client, words(client).greetingPassword());
  } else {
    tell(ctx, client, words(client).greeting());
  }
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

/**
 * Act on the lines received so far, in order, until they run out, something
 * holds them (flood control, a password's penalty), or the turn is full.
 */
export function work(ctx: Context, client: Client): void {
  const { room } = ctx;
  // Most of the room is behind: this member waits with the senders (the pacer resumes it).
  if (client.decoder.holding && room.mustWait(client)) return;
  while (talking(client) && client.holds === 0) {
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
  if (client.holds !== 0) return;
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
    tell(ctx, client, words(client).lineTooLong());
    return;
  }
  const text = sanitize(line);
  if (client.phase === "password") enterPassword(ctx, client, text);
  else if (client.phase === "naming") chooseName(ctx, client, text);
  else act(ctx, client, parseInput(text));
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
  if (client.bucket.shouldWarn(now))
    tell(ctx, client, words(client).slowDown(ctx.config.rateLimit));
  waitThen(ctx, client, Hold.Flood, wait, () => {});
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

/** A room with a password: the first line is the password (or /lang, /quit). */
function enterPassword(ctx: Context, client: Client, text: string): void {
  if (isBlank(text)) return;
  const input = text.startsWith("/") ? parseInput(text) : null;
  if (input?.kind === "lang" || input?.kind === "quit" || input?.kind === "help") {
    beforeJoining(ctx, client, input);
    return;
  }
  checkPassword(ctx, client, text, ctx.config.roomPassword, (right) => {
    if (!right) {
      tell(ctx, client, words(client).wrongPassword());
      return;
    }
    client.phase = "naming";
    tell(ctx, client, words(client).passwordAccepted());
  });
}

function chooseName(ctx: Context, client: Client, text: string): void {
  if (isBlank(text)) return;
  // Names hold no "/": this is a command, and only a few make sense yet.
  if (text.startsWith("/")) {
    beforeJoining(ctx, client, parseInput(text));
    return;
  }
  const t = words(client);
  const check = checkName(text);
  if (!check.ok) {
    tell(ctx, client, t.invalidName(check.problem));
    return;
  }
  const { room } = ctx;
  const name = check.name;
  const peers = room.peers;
  if (!room.isFree(name)) {
    tell(ctx, client, t.nameTaken(name));
  } else if (peers === null) {
    room.join(client, name);
    joined(ctx, client);
  } else {
    // Free here; the other servers must agree before it is this member's.
    const taken = () => tell(ctx, client, words(client).nameTaken(name));
    const claimed = (ok: boolean) => {
      if (ok && room.join(client, name, true)) joined(ctx, client);
      else taken();
    };
    awaitThen(ctx, client, Hold.Claim, peers.claim(name, client.host), claimed, (ok) => {
      if (ok) peers.unclaim(name);
    });
  }
}

/** The member is in: welcome, limits, topic, and the room's last lines. */
function joined(ctx: Context, client: Client): void {
  const { room, config } = ctx;
  const t = words(client);
  client.phase = "joined";
  client.clearTimer();
  ctx.log.event(client, "joined");
  tell(ctx, client, t.welcome(client.name, room.memberCount, room.names(PROTOCOL.welcomeNames)));
  tell(ctx, client, t.limits(config.maxLineBytes, config.rateLimit, config.rateBurst));
  if (room.topic !== "") tell(ctx, client, t.topic(room.topic));
  for (const line of replay(room.history(), config.maxQueueBytes / 2, t)) tell(ctx, client, line);
}

/**
 * The newest history lines that fit in `budget` bytes, oldest first: a
 * newcomer's replay never fills more than part of its own cap, however long
 * the lines or large --history.
 */
function replay(history: readonly Said[], budget: number, t: ServerText): string[] {
  const lines: string[] = [];
  let bytes = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const said = history[i] as Said;
    const line = t.history(clock(said.at), said.line);
    bytes += Buffer.byteLength(line) + 1;
    if (bytes > budget) break;
    lines.push(line);
  }
  return lines.reverse();
}

/** The commands that work before joining: /lang, /quit, /help. */
function beforeJoining(ctx: Context, client: Client, input: Input): void {
  switch (input.kind) {
    case "lang":
      setLang(ctx, client, input.lang);
      break;
    case "quit":
      goodbye(ctx, client, words(client).bye(), "quit");
      break;
    case "help":
      for (const line of words(client).help(false)) tell(ctx, client, line);
      break;
    default:
      tell(ctx, client, words(client).nameFirst());
  }
}

function nameTimedOut(ctx: Context, client: Client): void {
  client.timer = null;
  if (client.phase !== "naming" && client.phase !== "password") return;
  goodbye(ctx, client, words(client).nameTimeout(ctx.config.nameTimeoutMs / 1000), "no name given");
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
    client.connection.end();
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
    ctx.room.leave(client, { kind: "slow" });
    cut(client, "too slow");
  }
}

/** The socket closed, for whatever reason: forget the client everywhere, at once. */
export function closed(ctx: Context, client: Client, error?: Error): void {
  client.clearTimer();
  client.clearWaitTimer();
  if (client.phase === "closed") return;
  client.phase = "closed";
  client.dropBacklog();
  client.decoder.discard();
  ctx.waiting.clients.delete(client);
  ctx.room.drop(client);
  ctx.gate.leave(client.host);
  const why = client.endReason || (error ? `connection error: ${error.message}` : "disconnected");
  ctx.log.event(client, `left (${why})`);
}

/** A handler threw (a bug, never bad input): log it, cut this connection only. */
export function failed(ctx: Context, client: Client, error: Error): void {
  ctx.log.info(`error on ${client.address}: ${error.stack ?? error.message}`);
  client.endReason = `internal error: ${error.message}`;
  client.connection.terminate();
}
