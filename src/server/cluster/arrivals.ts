/**
 * What another server's batch means here: each event as room calls, gate
 * calls or lines for members of this server. Everything read from Redis is
 * checked here, field by field, before it is used: an event with a field of
 * the wrong type, or an unknown event, is skipped.
 */

import { isNotice, type Notice } from "../../protocol/messages.ts";
import { type Context, words } from "../session/context.ts";
import { removeMember, tell } from "../session/output.ts";
import type { Event } from "./events.ts";

/**
 * One event from server `node`, as room calls; anything malformed is
 * skipped. `answerRoster` sends this server's roster, when someone asks.
 */
export function arrived(
  ctx: Context,
  node: string,
  event: Event,
  at: number,
  answerRoster: () => void,
): void {
  const { room, gate } = ctx;
  const str = (v: unknown): v is string => typeof v === "string";
  const notice = (v: unknown): Notice | null => (isNotice(v) ? v : null);
  const e = event as unknown[];
  switch (e[0]) {
    case "s":
      if (str(e[1])) room.heard(e[1], at);
      break;
    case "a":
      if (str(e[1]) || isNotice(e[1])) room.announceHere(e[1]);
      break;
    case "j":
      if (str(e[1]) && str(e[2])) room.remoteJoined(node, e[1], e[2], notice(e[3]));
      break;
    case "p":
      if (str(e[1])) room.remoteLeft(node, e[1], notice(e[2]));
      break;
    case "r":
      if (str(e[1]) && str(e[2]) && isNotice(e[3])) room.remoteRenamed(node, e[1], e[2], e[3]);
      break;
    case "m":
      if (str(e[1]) && str(e[2]) && str(e[3])) whispered(ctx, e[1], e[2], e[3]);
      break;
    case "x":
      if (str(e[1]) && isNotice(e[2]) && str(e[3])) removed(ctx, e[1], e[2], e[3]);
      break;
    case "b":
      if (str(e[1]) && str(e[2])) gate.ban(e[1], e[2]);
      break;
    case "u":
      if (str(e[1])) gate.unban(e[1]);
      break;
    case "t":
      if (str(e[1])) room.topic = e[1];
      break;
    case "h":
      if (Array.isArray(e[1])) room.remoteRoster(node, e[1].filter(isPair), e[2] === true);
      break;
    case "?":
      // Someone's view of the room is incomplete (it just started, or missed batches).
      answerRoster();
      break;
    case "g":
      room.remoteGone(node);
      break;
    default:
      ctx.log.note(`cluster: skipped an unknown event ${String(e[0]).slice(0, 16)}`);
  }
}

function whispered(ctx: Context, to: string, from: string, text: string): void {
  const target = ctx.room.find(to);
  if (target !== undefined) tell(ctx, target, words(target).privateFrom(from, text));
}

function removed(ctx: Context, name: string, notice: Notice, why: string): void {
  const target = ctx.room.find(name);
  if (target === undefined || target.phase !== "joined") return;
  ctx.log.event(target, `removed from another server (${why})`);
  removeMember(ctx, target, notice, why);
}

function isPair(v: unknown): v is [string, string] {
  return Array.isArray(v) && typeof v[0] === "string" && typeof v[1] === "string";
}
