/**
 * The operators' say over who speaks (/mute, /unmute, /slow, /quiet), and
 * the one check a member's line passes before it goes to the room. The
 * state is the room's (room/moderation.ts); a refused line is answered with
 * one line saying why and for how long, and papo's clients keep it in the
 * input. Flood control (input.ts) still only delays.
 */

import { say } from "../../protocol/messages.ts";
import type { Input } from "../../protocol/parse.ts";
import { withTags } from "../../protocol/tags.ts";
import { MODERATION, type Refusal } from "../room/moderation.ts";
import type { Client } from "./client.ts";
import { type Context, words } from "./context.ts";
import { tell } from "./output.ts";

/**
 * Whether `client` may do `input` now: a line to the room (chat, /me) under
 * a mute, quiet or slow mode is refused, told why, and false. Under a mute
 * or quiet, /msg still reaches an operator (and only an operator); slow
 * mode does not count private lines.
 */
export function maySay(ctx: Context, client: Client, input: Input): boolean {
  const { moderation } = ctx.room;
  if (input.kind === "nick") {
    // A new name is announced to the room: not while the member may not speak.
    if (!silenced(ctx, client)) return true;
    tell(ctx, client, words(client).renameSilenced());
    return false;
  }
  if (input.kind !== "message" && input.kind !== "me" && input.kind !== "msg") return true;
  const refusal = moderation.check(client.name, client.operator);
  if (refusal === null) {
    if (input.kind !== "msg") moderation.said(client.name, client.operator);
    return true;
  }
  if (input.kind === "msg" && (refusal.kind === "slow" || ctx.room.find(input.to)?.operator)) {
    return true;
  }
  // Over version 2 the refusal carries the line as it was read: a client that sent more
  // lines since knows which one to give back.
  const reply = refused(client, refusal);
  tell(ctx, client, client.v2 ? withTags(reply, { unsaid: typed(input) }) : reply);
  return false;
}

/** The line a member typed for `input` (message, /me or /msg), as the server read it. */
function typed(input: Extract<Input, { kind: "message" | "me" | "msg" }>): string {
  if (input.kind === "me") return `/me ${input.action}`;
  if (input.kind === "msg") return `/msg ${input.to} ${input.text}`;
  return input.text;
}

/**
 * Whether `client` may not speak to the room at all now (muted, or quiet
 * mode), slow mode aside: what it would put before the room otherwise (a
 * new name, a /quit's reason) is not.
 */
export function silenced(ctx: Context, client: Client): boolean {
  const kind = ctx.room.moderation.check(client.name, client.operator)?.kind;
  return kind === "muted" || kind === "quiet";
}

function refused(client: Client, refusal: Refusal): string {
  const t = words(client);
  switch (refusal.kind) {
    case "muted":
      return refusal.leftMs === null ? t.mutedYou() : t.mutedYou(Math.ceil(refusal.leftMs));
    case "slow":
      return t.slowMode(Math.ceil(refusal.waitMs));
    case "quiet":
      return t.quietMode();
  }
}

/** An operator's /mute, /unmute, /slow or /quiet: the room is told, the record keeps it. */
export function restrict(
  ctx: Context,
  op: Client,
  input: Extract<Input, { kind: "mute" | "unmute" | "slow" | "quiet" }>,
): void {
  const { room } = ctx;
  const { moderation } = room;
  const t = words(op);
  switch (input.kind) {
    case "mute": {
      if (input.minutes !== undefined && input.minutes > MODERATION.maxMuteMinutes) {
        tell(ctx, op, t.muteTooLong(MODERATION.maxMuteMinutes));
        return;
      }
      const target = room.find(input.name);
      if (target === undefined) {
        tell(ctx, op, t.noSuchUser(input.name));
        return;
      }
      // Operators are never limited: a mute of one would be announced and do nothing.
      if (target.operator) {
        tell(ctx, op, t.muteOperator(target.name));
        return;
      }
      moderation.mute(target.name, input.minutes);
      const { minutes } = input;
      room.moderated(
        minutes === undefined
          ? say("muted", target.name, op.name)
          : say("muted", target.name, op.name, minutes),
      );
      ctx.log.event(op, `muted ${target.name}`);
      return;
    }
    case "unmute": {
      // By name, present or not: a muted member may have left and come back later.
      const name = room.find(input.name)?.name ?? input.name;
      if (!moderation.unmute(name)) {
        tell(ctx, op, t.notMuted(input.name));
        return;
      }
      room.moderated(say("unmuted", name, op.name));
      ctx.log.event(op, `unmuted ${name}`);
      return;
    }
    case "slow":
      if (input.seconds > MODERATION.maxSlowSeconds) {
        tell(ctx, op, t.slowTooLong(MODERATION.maxSlowSeconds));
        return;
      }
      moderation.slow(input.seconds);
      room.moderated(
        input.seconds === 0 ? say("slowOff", op.name) : say("slowOn", op.name, input.seconds),
      );
      ctx.log.event(op, `set slow mode to ${input.seconds} s`);
      return;
    case "quiet":
      moderation.quiet = input.on;
      room.moderated(input.on ? say("quietOn", op.name) : say("quietOff", op.name));
      ctx.log.event(op, input.on ? "turned quiet mode on" : "turned quiet mode off");
      return;
  }
}
