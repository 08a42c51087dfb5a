/**
 * What a member's commands do, once it is in the room: chat and actions,
 * /who, /nick, /msg, /lang, /topic, and the operators' /op, /kick, /ban,
 * /unban, /transcript (and /mute, /slow, /quiet, in moderation.ts). Parsing is protocol/parse.ts; the lines are
 * protocol/messages.ts.
 */

import { isLang } from "../../protocol/lang.ts";
import { PROTOCOL } from "../../protocol/limits.ts";
import { action, chat, type HelpFor, type Notice, say } from "../../protocol/messages.ts";
import { checkName, nameKey } from "../../protocol/names.ts";
import type { Input } from "../../protocol/parse.ts";
import { withTags } from "../../protocol/tags.ts";
import { TRANSCRIPT_PATH } from "../../web/paths.ts";
import { addressKey } from "../admission/addresses.ts";
import type { Remote } from "../room/peers.ts";
import { commandLine } from "../self.ts";
import type { Client } from "./client.ts";
import { type Context, TICKETS, words } from "./context.ts";
import { maySay, restrict, silenced } from "./moderation.ts";
import { goodbye, removeMember, tell } from "./output.ts";
import { reshare, whisper as whisperTo } from "./resume.ts";
import { forgetToken } from "./tokens.ts";
import { checkPassword, withName } from "./verdicts.ts";

export function act(ctx: Context, client: Client, input: Input): void {
  const { room } = ctx;
  const t = words(client);
  // Muted, quiet or slow mode: the line is refused with why (moderation.ts).
  if (!maySay(ctx, client, input)) return;
  switch (input.kind) {
    case "empty":
      break;
    case "message":
      room.say(client, {
        kind: "chat",
        from: client.name,
        text: chat(client.name, input.text),
        op: client.operator,
      });
      break;
    case "me":
      room.say(client, {
        kind: "action",
        from: client.name,
        text: action(client.name, input.action),
        op: client.operator,
      });
      break;
    case "who":
      tell(ctx, client, t.who(room.memberCount, room.names(PROTOCOL.whoNames, true)));
      break;
    case "help":
      for (const line of t.help(helpFor(ctx, client))) tell(ctx, client, line);
      break;
    case "nick":
      rename(ctx, client, input.name);
      break;
    case "msg":
      whisper(ctx, client, input.to, input.text);
      break;
    case "topic":
      topic(ctx, client, input.text);
      break;
    case "lang":
      setLang(ctx, client, input.lang);
      break;
    case "op":
      becomeOperator(ctx, client, input.password);
      break;
    case "kick":
    case "ban":
    case "unban":
      if (mayModerate(ctx, client)) moderate(ctx, client, input);
      break;
    case "mute":
    case "unmute":
    case "slow":
    case "quiet":
      if (mayModerate(ctx, client)) restrict(ctx, client, input);
      break;
    case "transcript":
      if (mayModerate(ctx, client)) transcript(ctx, client);
      break;
    case "quit":
      forgetToken(ctx, client);
      // A member who may not speak leaves without its words: the room hears only that it left.
      room.leave(client, {
        kind: "left",
        reason: (!silenced(ctx, client) && input.reason) || undefined,
      });
      goodbye(ctx, client, t.bye(), "quit");
      break;
    case "usage":
      tell(ctx, client, t.usage(input.usage));
      break;
    case "unknown":
      tell(ctx, client, t.unknownCommand(input.command));
      break;
  }
}

function rename(ctx: Context, client: Client, requested: string): void {
  const t = words(client);
  const check = checkName(requested);
  const old = client.name;
  if (!check.ok) {
    tell(ctx, client, t.invalidName(check.problem));
  } else if (check.name === old) {
    tell(ctx, client, t.sameName(old));
  } else if (!ctx.room.isFree(check.name, client)) {
    tell(ctx, client, t.nameTaken(check.name));
  } else if (ctx.room.isReserved(check.name) && !client.operator) {
    tell(ctx, client, t.nameKept(check.name));
  } else {
    // Only a new spelling of the same name needs no other server's word.
    const unclaimed = nameKey(check.name) === nameKey(old);
    withName(ctx, client, check.name, unclaimed, renameTo);
  }
}

/** The name is `client`'s to take: rename to it; false if the room refused. */
function renameTo(ctx: Context, client: Client, name: string, claimed: boolean): boolean {
  const old = client.name;
  if (ctx.room.rename(client, name, claimed) === "taken") return false;
  reshare(ctx, client);
  ctx.log.event(client, `renamed from ${old}`);
  return true;
}

function whisper(ctx: Context, client: Client, to: string, text: string): void {
  const target = ctx.room.locate(to);
  // Over version 2 a refusal names the line it refuses (papo's clients give it back).
  const unsaid = (reply: string) =>
    client.v2 ? withTags(reply, { unsaid: `/msg ${to} ${text}` }) : reply;
  if (target === undefined) {
    tell(ctx, client, unsaid(words(client).noSuchUser(to)));
    return;
  }
  if (isRemote(target)) ctx.room.whisper(target, client.name, text);
  else if (!whisperTo(ctx, target, client.name, text)) {
    // Its own queue is full (it is not reading, or away for long): nothing is sent.
    tell(ctx, client, unsaid(words(client).notReading(target.name)));
    return;
  }
  tell(ctx, client, words(client).privateTo(target.name, text));
}

/** A member who lives on another server (the room's view of it, not a connection). */
function isRemote(member: Client | Remote): member is Remote {
  return "node" in member;
}

export function setLang(ctx: Context, client: Client, lang: string): void {
  if (lang === "") {
    tell(ctx, client, words(client).language());
    return;
  }
  if (!isLang(lang)) {
    tell(ctx, client, words(client).unknownLanguage(lang));
    return;
  }
  ctx.room.setLang(client, lang);
  reshare(ctx, client);
  tell(ctx, client, words(client).language());
}

function topic(ctx: Context, client: Client, text: string): void {
  const { room } = ctx;
  if (text === "") {
    tell(ctx, client, room.topic ? words(client).topic(room.topic) : words(client).noTopic());
    return;
  }
  if (!mayModerate(ctx, client)) return;
  room.setTopic(client.name, text);
  ctx.log.event(client, "set the topic");
}

function becomeOperator(ctx: Context, client: Client, password: string): void {
  const secret = ctx.config.opPassword;
  if (secret === "") {
    tell(ctx, client, words(client).noOperators());
    return;
  }
  checkPassword(ctx, client, password, "operator", (right) => {
    if (!right) {
      tell(ctx, client, words(client).wrongPassword());
      return;
    }
    client.operator = true;
    // An operator's name is kept for operators from now on: nobody else can pass for it.
    ctx.room.reserve(client.name);
    reshare(ctx, client);
    tell(ctx, client, words(client).nowOperator());
    ctx.log.event(client, "became an operator");
  });
}

/** Operators only; others are told why not. */
function mayModerate(ctx: Context, client: Client): boolean {
  if (client.operator) return true;
  const t = words(client);
  tell(ctx, client, ctx.config.opPassword === "" ? t.noOperators() : t.notOperator());
  return false;
}

function moderate(
  ctx: Context,
  op: Client,
  input: Extract<Input, { kind: "kick" | "ban" | "unban" }>,
): void {
  const t = words(op);
  if (input.kind === "unban") {
    const address = ctx.gate.unban(input.what);
    ctx.room.unbanned(input.what, address);
    tell(ctx, op, address === null ? t.notBanned(input.what) : t.unbanned(input.what));
    if (address !== null) ctx.log.event(op, `unbanned ${address}`);
    return;
  }
  const target = ctx.room.locate(input.name);
  if (target === undefined) {
    tell(ctx, op, t.noSuchUser(input.name));
    return;
  }
  let notice: Notice;
  let why: string;
  if (input.kind === "ban") {
    if (addressKey(target.host) === addressKey(op.host) && target !== op) {
      tell(ctx, op, t.banYourOwnAddress(target.name));
      return;
    }
    ctx.gate.ban(target.host, target.name);
    ctx.room.banned(target.host, target.name);
    ctx.log.event(op, `banned ${target.name} (${target.host})`);
    notice = say("banned", target.name, op.name);
    ctx.meter.evictions.banned++;
    why = `banned by ${op.name}`;
  } else {
    notice = say("kicked", target.name, op.name, input.reason || undefined);
    ctx.meter.evictions.kicked++;
    ctx.log.event(op, `kicked ${target.name}`);
    why = `kicked by ${op.name}`;
  }
  if (isRemote(target)) ctx.room.removeElsewhere(target, notice, why);
  else removeMember(ctx, target, notice, why);
}

/**
 * The room's transcript for an operator: a one-time path on the web page
 * when the web server reads the room's store, else the command that writes
 * it on the server's machine (a room kept on disk, or a shared room's stream).
 */
function transcript(ctx: Context, op: Client): void {
  const t = words(op);
  const { transcripts, config } = ctx;
  if (transcripts.served) {
    const path = `${TRANSCRIPT_PATH}?t=${transcripts.give()}`;
    tell(ctx, op, t.transcriptReady(path, TICKETS.lifeMs / 1000));
    ctx.log.event(op, "asked for the transcript");
  } else if (config.dataDir !== "") {
    tell(
      ctx,
      op,
      t.transcriptCommand(
        `${commandLine("export")} --room ${config.roomName} --data '${config.dataDir.replaceAll("'", "'\\''")}'`,
      ),
    );
  } else if (config.redisUrl !== "") {
    tell(
      ctx,
      op,
      t.transcriptCommand(`${commandLine("export")} --room ${config.roomName} --redis URL`),
    );
  } else {
    tell(ctx, op, t.noTranscript());
  }
}

/** Whom /help is for: operators see everything, members what they may do. */
export function helpFor(ctx: Context, client: Client): HelpFor {
  if (ctx.config.opPassword === "") return "no-operators";
  return client.operator ? "operator" : "member";
}
