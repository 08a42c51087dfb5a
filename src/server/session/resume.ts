/**
 * Resume (docs/protocol.md, "Resume"): a member that joined with protocol
 * version 2 holds a secret token; when its connection vanishes without
 * /quit it is *away* for --resume-grace, keeping its name, operator status,
 * language, place in the log and the private lines sent to it; a new
 * connection that shows the token takes its place, reads the room from the
 * last position it showed, and nobody sees a left/joined pair. Tokens are
 * single-use: each resume spends one and hands out the next. A token is
 * compared in constant time, and only its id is ever logged.
 */

import { randomBytes, timingSafeEqual } from "node:crypto";
import { parsePosition } from "../../protocol/tags.ts";
import type { Client } from "./client.ts";
import { type Context, words } from "./context.ts";
import { resumeGapLine, withResumeTags } from "./v2.ts";

/** A new token for `client` (replacing any it had): "ID.SECRET". */
export function issueToken(ctx: Context, client: Client): string {
  forgetToken(ctx, client);
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(16);
  ctx.tokens.set(id, { secret, client });
  client.tokenId = id;
  return `${id}.${secret.toString("hex")}`;
}

/** The member's token is spent or void (it quit, was removed, or expired). */
export function forgetToken(ctx: Context, client: Client): void {
  if (client.tokenId === "") return;
  const held = ctx.tokens.get(client.tokenId);
  if (held?.client === client) ctx.tokens.delete(client.tokenId);
  client.tokenId = "";
}

/**
 * The member's connection is gone: away, if it holds a token and the room
 * grants a grace; false when it should leave now as before.
 */
export function away(ctx: Context, client: Client): boolean {
  const grace = ctx.config.resumeGraceMs;
  if (client.phase !== "joined" || client.tokenId === "" || grace <= 0) return false;
  if (!ctx.room.mayHoldAway) return false;
  ctx.room.suspend(client);
  client.phase = "away";
  client.clearWaitTimer();
  client.decoder.discard();
  client.clearTimer();
  client.timer = setTimeout(() => expire(ctx, client), grace);
  ctx.log.event(client, "away");
  return true;
}

/** The grace ended without a resume: the member leaves, as it would have at once. */
function expire(ctx: Context, client: Client): void {
  client.timer = null;
  if (client.phase !== "away") return;
  forgetToken(ctx, client);
  ctx.room.leave(client);
  client.phase = "closed";
  ctx.log.event(client, "left (did not come back)");
}

/**
 * `RESUME ID.SECRET EPOCH.SEQ` from a v2 connection not yet in the room.
 * Right token: it becomes that member and reads on from after the position.
 * Wrong or unknown: told so, and it goes on as a new connection.
 */
export function resume(ctx: Context, client: Client, rest: string): void {
  const [token = "", at = "-"] = rest.trim().split(/\s+/);
  const old = holder(ctx, token);
  if (old === null || !client.v2) {
    ctx.room.tell(client, words(client).resumeFailed());
    return;
  }
  const { room } = ctx;
  const log = room.log;
  const shown = parsePosition(at);
  // A position from another life of the log means nothing here: what is kept, from its start.
  const restarted = shown !== null && shown.epoch !== log.epoch;
  const asked = shown === null ? old.next : restarted ? log.first : shown.seq + 1;
  // What it asked for may be older than what is kept: then it is told how much is gone.
  const from = Math.max(asked, log.first);
  // Still connected (its connection not yet seen dead): the new one takes over.
  const wasConnected = old.phase === "joined";
  forgetToken(ctx, old);
  old.clearTimer();
  old.phase = "closed";
  client.operator = old.operator;
  client.lang = old.lang;
  const next = issueToken(ctx, client);
  client.phase = "joined";
  client.clearTimer();
  ctx.gate.leave(client.host);
  const first = [withResumeTags(words(client).resumed(old.name), next, log.epoch, from - 1)];
  if (restarted) first.push(resumeGapLine(room, client, null));
  else if (asked < from) first.push(resumeGapLine(room, client, from - asked));
  if (!room.resume(old, client, from, first)) {
    // Not in the room after all (removed meanwhile): the token was void.
    forgetToken(ctx, client);
    client.phase = "naming";
    ctx.room.tell(client, words(client).resumeFailed());
    return;
  }
  if (wasConnected) old.connection.terminate();
  room.drop(old);
  ctx.log.event(client, `resumed as ${old.name}`);
}

/** The member whose token this is, if the secret is right. */
function holder(ctx: Context, token: string): Client | null {
  const dot = token.indexOf(".");
  if (dot < 0) return null;
  const held = ctx.tokens.get(token.slice(0, dot));
  if (held === undefined) return null;
  const given = Buffer.from(token.slice(dot + 1), "hex");
  if (given.length !== held.secret.length || !timingSafeEqual(given, held.secret)) return null;
  const member = held.client;
  const inRoom = member.phase === "joined" || (member.phase === "away" && ctx.room.isAway(member));
  return inRoom ? member : null;
}
