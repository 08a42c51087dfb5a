/**
 * The door, whatever the transport: a new connection is let in (the
 * per-address cap, bans, the room's cap) and greeted, or told in one line why
 * not and closed.
 */

import { encodeLine } from "../../protocol/lines.ts";
import { SERVER_TEXT } from "../../protocol/messages.ts";
import type { Client } from "../session/client.ts";
import type { Context } from "../session/context.ts";
import * as session from "../session/lifecycle.ts";
import { CLOSE_FLUSH_MS } from "../session/output.ts";

/** Let `client` in and greet it, or refuse it; true when it is in. */
export function arrive(ctx: Context, client: Client): boolean {
  const t = SERVER_TEXT[client.lang];
  ctx.meter.connections++;
  // Reading the address is a system call: not made when it decides nothing.
  const refusal = ctx.gate.screens ? ctx.gate.enter(client.host) : null;
  if (refusal !== null) {
    ctx.meter.evictions[refusal === "banned" ? "refused banned" : "refused address cap"]++;
    refuse(ctx, client, refusal === "banned" ? t.bannedHere() : t.tooManyFromAddress(), refusal);
    return false;
  }
  if (!ctx.room.accept(client)) {
    ctx.gate.leftDoor(client);
    ctx.meter.evictions["refused server full"]++;
    refuse(ctx, client, t.serverFull(), "server full");
    return false;
  }
  session.greet(ctx, client);
  return true;
}

/** Not a session: one line, our side shut, and closed when the peer closes (or soon). */
function refuse(ctx: Context, client: Client, line: string, why: string): void {
  ctx.log.event(client, `refused (${client.transport}, ${why})`);
  client.phase = "closed";
  const bytes = encodeLine(line);
  const connection = client.connection;
  connection.write(bytes, 0, bytes.length);
  connection.shutdown();
  client.timer = setTimeout(() => connection.terminate(), CLOSE_FLUSH_MS);
}
