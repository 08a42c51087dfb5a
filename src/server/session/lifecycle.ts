/**
 * One client's life in the room, read top to bottom: greeting, password (if
 * the room has one), name, join, lines, leaving. When its input is read and
 * acted on is input.ts's to decide; the transports (transport/) turn socket
 * events into these calls; what a member's commands do is in commands.ts,
 * lines out and closing in output.ts; the exact text of each line, in each
 * language, lives in protocol/messages.ts. Every line to a client goes
 * through the room's fan-out, in order with everything else it receives.
 */

import type { ServerConfig } from "../../config.ts";
import { PROTOCOL } from "../../protocol/limits.ts";
import { type Decoded, LINE_TOO_LONG } from "../../protocol/lines.ts";
import type { ServerText } from "../../protocol/messages.ts";
import { checkName } from "../../protocol/names.ts";
import { type Input, parseInput } from "../../protocol/parse.ts";
import { isBlank, sanitize } from "../../protocol/sanitize.ts";
import type { Said } from "../room/history.ts";
import { away } from "./away.ts";
import { blockInput } from "./block.ts";
import type { Client } from "./client.ts";
import { act, helpFor, setLang } from "./commands.ts";
import { type Context, words } from "./context.ts";
import { startNameClock } from "./name-clock.ts";
import { cut, fail, finishWriting, goodbye, sameLine, tell } from "./output.ts";
import { issueToken, resume } from "./resume.ts";
import { forgetToken } from "./tokens.ts";
import { CAP_V2, capLine, historyLine, withResumeTags } from "./v2.ts";
import { checkPassword, withName } from "./verdicts.ts";

/** A new connection: greet it and start the clock for getting into the room. */
export function greet(ctx: Context, client: Client): void {
  ctx.log.event(client, `connected (${client.transport})`);
  const t = words(client);
  if (ctx.config.roomPassword !== "") {
    client.phase = "password";
    ctx.room.greet(client, sameLine(ctx, t, "greetingPassword", greetingPassword));
  } else {
    ctx.room.greet(client, sameLine(ctx, t, "greeting", greeting));
  }
  startNameClock(ctx, client);
}

const greeting = (t: ServerText) => t.greeting();
const greetingPassword = (t: ServerText) => t.greetingPassword();
const limits = (t: ServerText, config: ServerConfig) =>
  t.limits(config.maxLineBytes, config.rateLimit, config.rateBurst);

/** One line the input flow let through, by where the client is in its life. */
export function handle(ctx: Context, client: Client, line: Decoded): void {
  if (client.phase === "joined" && blockInput(ctx, client, line)) return;
  if (line === LINE_TOO_LONG) {
    tell(ctx, client, words(client).lineTooLong());
    return;
  }
  const text = sanitize(line);
  const first = client.firstLine();
  if (client.phase !== "joined" && version2(ctx, client, text, first)) return;
  if (client.phase === "password") enterPassword(ctx, client, text);
  else if (client.phase === "naming") chooseName(ctx, client, text);
  else act(ctx, client, parseInput(text));
}

/**
 * `CAP papo/2` as the first line, and `RESUME …` from a v2 connection before
 * it joins: true when the line was one of them.
 */
function version2(ctx: Context, client: Client, text: string, first: boolean): boolean {
  if (first && text === CAP_V2) {
    ctx.room.speakV2(client);
    tell(ctx, client, capLine(ctx.config, ctx.room.log.epoch));
    return true;
  }
  if (client.v2 && text.startsWith("RESUME ")) {
    resume(ctx, client, text.slice(7));
    return true;
  }
  return false;
}

/** A room with a password: the first line is the password (or /lang, /quit). */
function enterPassword(ctx: Context, client: Client, text: string): void {
  if (isBlank(text)) return;
  const input = text.startsWith("/") ? parseInput(text) : null;
  if (input?.kind === "lang" || input?.kind === "quit" || input?.kind === "help") {
    beforeJoining(ctx, client, input);
    return;
  }
  checkPassword(ctx, client, text, "room", (right) => {
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
  if (client.wantsReserved !== "") {
    claimReserved(ctx, client, text);
    return;
  }
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
  if (!ctx.room.isFree(check.name)) {
    tell(ctx, client, t.nameTaken(check.name));
    return;
  }
  if (ctx.room.isReserved(check.name) && !client.operator) {
    // Kept for an operator: the next line is the operator password (or another name, after it).
    client.wantsReserved = check.name;
    tell(ctx, client, t.nameReserved(check.name));
    return;
  }
  enter(ctx, client, check.name);
}

/** Join the room as `name` (every server's word asked first). */
function enter(ctx: Context, client: Client, name: string): void {
  withName(ctx, client, name, false, joinAs);
}

/** The name is `client`'s to take: join under it; false if the room refused. */
function joinAs(ctx: Context, client: Client, name: string, claimed: boolean): boolean {
  if (!ctx.room.join(client, name, claimed)) return false;
  joined(ctx, client);
  if (client.operator) tell(ctx, client, words(client).nowOperator());
  return true;
}

/**
 * The line after a reserved name: the operator password. Right, the
 * connection joins under that name as an operator; wrong, it is told so
 * (held as any wrong password is) and chooses a name again.
 */
function claimReserved(ctx: Context, client: Client, password: string): void {
  const name = client.wantsReserved;
  client.wantsReserved = "";
  checkPassword(ctx, client, password, "operator", (right) => {
    if (!right) {
      tell(ctx, client, words(client).wrongPassword());
      return;
    }
    if (!ctx.room.isFree(name)) {
      tell(ctx, client, words(client).nameTaken(name));
      return;
    }
    client.operator = true;
    ctx.log.event(client, `gave the operator password for ${name}`);
    enter(ctx, client, name);
  });
}

/** The member is in: welcome, limits, topic, and the room's last lines. */
function joined(ctx: Context, client: Client): void {
  const { room, config } = ctx;
  const t = words(client);
  client.phase = "joined";
  // In the room: no longer one of its address's connections at the door.
  ctx.gate.leftDoor(client);
  ctx.door.stop(client);
  client.clearTimer();
  ctx.log.event(client, "joined");
  const welcome = t.welcome(client.name, room.memberCount, room.names(PROTOCOL.welcomeNames));
  if (client.v2) {
    const token = issueToken(ctx, client);
    const last = room.log.positionOf(client.next - 1);
    tell(ctx, client, withResumeTags(welcome, token, last, client.operator));
  } else {
    tell(ctx, client, welcome);
  }
  ctx.room.tell(client, sameLine(ctx, t, "limits", limits));
  if (room.topic !== "") tell(ctx, client, t.topic(room.topic));
  const { slowSeconds, quiet } = room.moderation;
  if (slowSeconds > 0 || quiet) tell(ctx, client, t.roomModes(slowSeconds, quiet));
  for (const line of replay(ctx, client, config.maxQueueBytes / 2)) tell(ctx, client, line);
}

/**
 * The newest history lines that fit in `budget` bytes, oldest first: a
 * newcomer's replay never fills more than part of its own queue, however
 * long the lines or large --history.
 */
function replay(ctx: Context, client: Client, budget: number): string[] {
  const history = ctx.room.history();
  const lines: string[] = [];
  let bytes = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const said = history[i] as Said;
    const line = historyLine(client, said, ctx.room.now());
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
      for (const line of words(client).help(helpFor(ctx, client))) tell(ctx, client, line);
      break;
    default:
      tell(ctx, client, words(client).nameFirst());
  }
}

/** The socket can take more: write what it is owed, and finish a goodbye once it is out. */
export function drained(ctx: Context, client: Client): void {
  const done = ctx.room.drained(client);
  if (done && client.phase === "closing") finishWriting(client);
}

/**
 * Members behind that took nothing for --behind-timeout: closed (a papo
 * client with a resume token is away meanwhile, and may come back).
 */
export function stalled(ctx: Context, clients: readonly Client[]): void {
  for (const client of clients) {
    if (client.phase === "away" || client.phase === "closed") continue;
    client.endReason = "not reading";
    ctx.meter.evictions["not reading"]++;
    if (away(ctx, client)) {
      client.connection.terminate();
      continue;
    }
    if (client.phase === "joined") ctx.room.leave(client, { kind: "stalled" });
    cut(client, "not reading");
  }
}

/** The socket closed, for whatever reason: forget the client everywhere, at once. */
export function closed(ctx: Context, client: Client, error?: Error): void {
  const why = client.endReason || (error ? `connection error: ${error.message}` : "disconnected");
  ctx.door.stop(client);
  // Gone without /quit: a member holding a resume token is away for the grace.
  if (client.phase === "away" || away(ctx, client)) {
    ctx.waiting.clients.delete(client);
    ctx.room.disconnect(client);
    ctx.log.event(client, `connection closed (${why}); away`);
    return;
  }
  client.clearTimer();
  client.clearWaitTimer();
  if (client.phase === "closed") return;
  forgetToken(ctx, client);
  client.phase = "closed";
  client.decoder.discard();
  ctx.waiting.clients.delete(client);
  ctx.room.drop(client);
  // Counted at the door until it joined (a member has a name).
  if (client.name === "") ctx.gate.leftDoor(client);
  ctx.log.event(client, `left (${why})`);
}

/** A handler threw (a bug, never bad input): log it, cut this connection only. */
export function failed(ctx: Context, client: Client, error: Error): void {
  fail(ctx, client, error);
}
