/**
 * A member away (docs/protocol.md, "Resume"): its connection is gone without
 * /quit, however it went (closed, reset, its input ended, read timeout), and
 * it holds a resume token, so it keeps its place for --resume-grace and
 * leaves only if it does not come back. Apart from resume.ts so that the
 * input flow (input.ts), which resume.ts uses, can send a member away too.
 */

import type { Client } from "./client.ts";
import type { Context } from "./context.ts";
import { forgetToken } from "./tokens.ts";

/** What another server (or this one after a restart) needs to let the member resume: who it is now. */
export function share(ctx: Context, client: Client, id: string, secret: Buffer): void {
  const { name, operator, lang, host } = client;
  ctx.room.keepToken(id, secret, { node: "", id: client.id, name, operator, lang, host });
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
  // Its name, operator status and language as they are now, for a resume on another server.
  const held = ctx.tokens.get(client.tokenId);
  if (held !== undefined) share(ctx, client, client.tokenId, held.secret);
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
