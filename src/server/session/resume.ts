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
import { type Position, parsePosition } from "../../protocol/tags.ts";
import type { Located } from "../room/log.ts";
import type { Moved } from "../room/peers.ts";
import { share } from "./away.ts";
import type { Client } from "./client.ts";
import { type Context, words } from "./context.ts";
import { awaitThen, Hold } from "./input.ts";
import { forgetToken } from "./tokens.ts";
import { resumeGapLine, withResumeTags } from "./v2.ts";

/**
 * A new token for `client` (replacing any it had): "ID.SECRET". In a room
 * over several servers, every server can check it (a hash of the secret is
 * kept in Redis), so the member resumes on whichever it reaches.
 */
export function issueToken(ctx: Context, client: Client): string {
  forgetToken(ctx, client);
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(16);
  ctx.tokens.set(id, { secret, client });
  client.tokenId = id;
  share(ctx, client, id, secret);
  return `${id}.${secret.toString("hex")}`;
}

/** The member's name, operator status or language changed: its token's record says so too. */
export function reshare(ctx: Context, client: Client): void {
  if (client.tokenId === "") return;
  const held = ctx.tokens.get(client.tokenId);
  if (held?.client === client) share(ctx, client, client.tokenId, held.secret);
}

/**
 * A private line for a member of this server, `optional` as every private
 * line is: false when its queue is full. One sent while it is away is also
 * kept as words, to follow it if it resumes on another server.
 */
export function whisper(ctx: Context, target: Client, from: string, text: string): boolean {
  if (!ctx.room.tell(target, words(target).privateFrom(from, text), true)) return false;
  if (target.phase !== "away") return true;
  target.kept ??= [];
  target.kept.push([from, text]);
  return true;
}

/**
 * `RESUME ID.SECRET EPOCH.SEQ` from a v2 connection not yet in the room.
 * Right token: it becomes that member and reads on from after the position.
 * Wrong or unknown: told so, and it goes on as a new connection.
 */
export function resume(ctx: Context, client: Client, rest: string): void {
  const [token = "", at = "-"] = rest.trim().split(/\s+/);
  const shown = parsePosition(at);
  const parts = split(token);
  const { room } = ctx;
  if (!client.v2 || parts === null) {
    room.tell(client, words(client).resumeFailed());
    return;
  }
  const { id, secret } = parts;
  if (!room.shared) {
    // This server's member, or one from before a restart (its token kept in the store).
    const old = holder(ctx, token);
    if (old !== null) resumeHere(ctx, client, old, shown);
    else arrive(ctx, client, id, secret, room.takeStored(id, secret), shown);
    return;
  }
  // In a room over several servers the token is spent in Redis, whichever server issued it,
  // so that it is spent once; it brings a member of another server here.
  awaitThen(
    ctx,
    client,
    Hold.Claim,
    room.takeToken(id, secret, client.host),
    (taken) => {
      const old = holder(ctx, token);
      if (taken === "spent") room.tell(client, words(client).resumeFailed());
      // This server's own: spent in Redis just now, or not known there (Redis away, its record lost).
      else if (old !== null) resumeHere(ctx, client, old, shown);
      else arrive(ctx, client, id, secret, taken, shown);
    },
    (taken) => taken !== null && taken !== "spent" && room.giveBack(id, secret, taken),
  );
}

/**
 * A member of another server resumed here with its token (spent, its name
 * claimed for this server): it takes its place in this server's log, from
 * the position its client says it showed (positions are the stream's, the
 * same on every server), and its old server lets it go without a word.
 */
function arrive(
  ctx: Context,
  client: Client,
  id: string,
  secret: Buffer,
  moved: Moved | null,
  shown: Position | null,
): void {
  const { room } = ctx;
  if (moved === null || client.phase === "joined" || !room.isFree(moved.name, undefined, true)) {
    if (moved !== null) room.giveBack(id, secret, moved);
    room.tell(client, words(client).resumeFailed());
    return;
  }
  const log = room.log;
  const where = shown === null ? { from: log.end, missed: null } : log.locate(shown);
  client.operator = moved.operator;
  room.setLang(client, moved.lang);
  const next = issueAfter(ctx, client, moved);
  const first = [
    withResumeTags(
      words(client).resumed(moved.name),
      next,
      log.positionOf(where.from - 1),
      client.operator,
    ),
  ];
  if (where.missed !== 0) first.push(resumeGapLine(room, client, where.missed));
  client.phase = "joined";
  ctx.door.stop(client);
  client.clearTimer();
  ctx.gate.leftDoor(client);
  room.adopt(client, moved, where.from, first);
  const from = moved.node === "" ? "before the restart" : `from server ${moved.node}`;
  ctx.log.event(client, `resumed as ${moved.name}, ${from}`);
}

/** The token a member that came from another server holds here (its name and id set first). */
function issueAfter(ctx: Context, client: Client, moved: Moved): string {
  client.name = moved.name;
  client.id =
    moved.node === "" ? ctx.room.earlierId(moved.name) : ctx.room.idOf(moved.node, moved.id);
  return issueToken(ctx, client);
}

/**
 * Member `id` of this server resumed on another server: it leaves here
 * without a word (its connection, if this server still thought it open, is
 * cut). Returns the private lines kept for it while it was away, to follow it.
 */
export function movedAway(ctx: Context, id: number): Array<[string, string]> {
  const member = ctx.room.localMembers().find((m) => m.id === id);
  if (member === undefined) return [];
  if (member.phase !== "joined" && member.phase !== "away") return [];
  const kept = member.kept ?? [];
  member.kept = null;
  const wasConnected = member.phase === "joined";
  forgetToken(ctx, member);
  member.clearTimer();
  ctx.room.leave(member, { kind: "quietly" });
  member.phase = "closed";
  if (wasConnected) member.connection.terminate();
  ctx.room.drop(member);
  ctx.log.event(member, "resumed on another server");
  return kept;
}

/** "ID.SECRET" as its parts; null when it is not one. */
function split(token: string): { id: string; secret: Buffer } | null {
  const m = /^([0-9a-f]{16})\.([0-9a-f]{32})$/.exec(token);
  if (m === null) return null;
  return { id: m[1] as string, secret: Buffer.from(m[2] as string, "hex") };
}

/** The member this server holds resumes: the new connection takes its place. */
function resumeHere(ctx: Context, client: Client, old: Client, shown: Position | null): void {
  const { room } = ctx;
  const log = room.log;
  const where = shown === null ? ownPlace(old, log.first) : log.locate(shown);
  const from = where.from;
  // Still connected (its connection not yet seen dead): the new one takes over.
  const wasConnected = old.phase === "joined";
  forgetToken(ctx, old);
  old.clearTimer();
  old.phase = "closed";
  client.operator = old.operator;
  client.lang = old.lang;
  const next = issueToken(ctx, client);
  client.phase = "joined";
  ctx.door.stop(client);
  client.clearTimer();
  ctx.gate.leftDoor(client);
  const resumed = words(client).resumed(old.name);
  const first = [withResumeTags(resumed, next, log.positionOf(from - 1), client.operator)];
  if (where.missed !== 0) first.push(resumeGapLine(room, client, where.missed));
  // The answer says any gap (or that there is none) from the position it showed, or from
  // its own place when the window passed that.
  if (!room.resume(old, client, from, first, shown !== null || where.missed !== 0)) {
    // Not in the room after all (removed meanwhile): the token was void, and what it
    // carried (operator rights) is not this connection's.
    forgetToken(ctx, client);
    client.operator = false;
    client.phase = "naming";
    ctx.room.tell(client, words(client).resumeFailed());
    return;
  }
  if (wasConnected) old.connection.terminate();
  room.drop(old);
  ctx.log.event(client, `resumed as ${old.name}`);
}

/**
 * Where a member resuming without a position ("-") reads on: its own place
 * in the log (the line its socket stopped inside, which comes again whole,
 * as takePlace leaves the rest of it behind), or the oldest line kept when
 * the window passed that while it was away. What it missed counts a
 * missed-lines line still waiting for it too, which the answer then
 * replaces (takePlace's gapTold).
 */
function ownPlace(old: Client, first: number): Located {
  const cut = old.queue?.find((line) => line.rest === true);
  const at = cut === undefined ? old.next : cut.before - 1;
  if (at >= first) return { from: at, missed: 0 };
  let missed = first - at;
  for (const line of old.queue ?? []) missed += line.missed ?? 0;
  return { from: first, missed };
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
