/**
 * A member's resume token, spent or void: the one part of resume.ts that
 * closing a connection (output.ts) needs, kept apart so that the session's
 * modules import each other in one direction only.
 */

import type { Client } from "./client.ts";
import type { Context } from "./context.ts";

/** The member's token is spent or void (it quit, was removed, or expired). */
export function forgetToken(ctx: Context, client: Client): void {
  if (client.tokenId === "") return;
  const held = ctx.tokens.get(client.tokenId);
  if (held?.client === client) {
    ctx.tokens.delete(client.tokenId);
    ctx.room.dropToken(client.tokenId);
  }
  client.tokenId = "";
}
