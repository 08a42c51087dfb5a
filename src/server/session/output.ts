/**
 * Lines out and goodbyes: one line for one client through the fan-out (and
 * so through its cap), a last line before closing, and the closing itself,
 * which shuts down our side and waits for the peer's rather than dropping
 * what it is still owed.
 */

import type { ServerConfig } from "../../config.ts";
import { encodeLine } from "../../protocol/lines.ts";
import { type Notice, render } from "../../protocol/messages.ts";
import { described } from "../guard.ts";
import type { Client } from "./client.ts";
import { type Context, talking, words } from "./context.ts";
import { forgetToken } from "./tokens.ts";

/** How long a quitting or shut-out client may take to read its last bytes and close (ms). */
export const CLOSE_FLUSH_MS = 2_000;

/**
 * One line for one client, named or not, in order with everything else it
 * receives, through its own queue in the fan-out.
 */
export function tell(ctx: Context, client: Client, line: string): void {
  ctx.room.tell(client, line);
}

/**
 * A line that is the same for every client reading `words` on this server
 * (the greeting, the limits), encoded once: `line` makes it the first time
 * (a plain function of the words and the config: no closure for each client).
 */
export function sameLine<W extends object>(
  ctx: Context,
  words: W,
  which: string,
  line: (words: W, config: ServerConfig) => string,
): Uint8Array {
  let lines = encoded.get(ctx.config);
  if (lines === undefined) {
    lines = new Map();
    encoded.set(ctx.config, lines);
  }
  let byWords = lines.get(which);
  if (byWords === undefined) {
    byWords = new Map();
    lines.set(which, byWords);
  }
  let bytes = byWords.get(words);
  if (bytes === undefined) {
    bytes = encodeLine(line(words, ctx.config));
    byWords.set(words, bytes);
  }
  return bytes;
}

/** Lines told to many, encoded: by server config, by line, by the words (language, version) they are in. */
const encoded = new WeakMap<object, Map<string, Map<object, Uint8Array>>>();

/**
 * A last line, then close. What the client is owed goes out first, so the
 * goodbye is the last line it reads.
 */
export function goodbye(ctx: Context, client: Client, line: string, why: string): void {
  ctx.room.tell(client, line);
  closeGracefully(ctx, client, why);
}

/**
 * Stop acting on input, let the backlog drain, then shut down our sending
 * side and wait for the peer to close its own, reading and discarding what it
 * still sends. Closing the descriptor while the peer is still sending would
 * make the kernel answer with a reset and drop the unsent tail; a peer that
 * never reads or never closes is cut off after `flushMs`.
 */
export function closeGracefully(
  ctx: Context,
  client: Client,
  why: string,
  flushMs = CLOSE_FLUSH_MS,
): void {
  if (!talking(client)) return;
  client.phase = "closing";
  client.endReason = why;
  // Off the door's clocks too: a closing connection's name timeout must not hold the process.
  ctx.door.stop(client);
  client.clearTimer();
  client.clearWaitTimer();
  client.decoder.discard();
  client.holds = 0;
  client.readAgain();
  client.timer = setTimeout(() => client.connection.terminate(), flushMs);
  if (ctx.room.release(client)) finishWriting(client);
}

/** Everything owed is written: FIN after it, or close outright if the peer already ended. */
export function finishWriting(client: Client): void {
  client.phase = "ending";
  if (client.peerEnded) client.connection.end();
  else client.connection.shutdown();
}

/** Abort the connection now: whatever is still owed is lost. */
export function cut(client: Client, why: string): void {
  if (client.phase === "closed") return;
  client.phase = "closing";
  client.endReason = why;
  client.drop();
  client.connection.terminate();
}

/** An operator removes a member: everyone reads why, the member last of all. */
export function removeMember(ctx: Context, member: Client, notice: Notice, why: string): void {
  ctx.room.leave(member, { kind: "removed", notice });
  forgetToken(ctx, member);
  if (member.phase === "away") {
    // Its connection is gone already: removed, it may not come back with its token.
    member.clearTimer();
    member.phase = "closed";
    return;
  }
  goodbye(ctx, member, render(words(member), notice), why);
}

/**
 * Something threw while serving this client (a bug, never bad input): log it
 * with its stack and cut this connection only; everyone else goes on.
 */
export function fail(ctx: Context, client: Client, error: unknown): void {
  ctx.log.note(`error on ${client.address}: ${described(error)}`);
  const why = error instanceof Error ? error.message : String(error);
  client.endReason = `internal error: ${why}`;
  client.connection.terminate();
}
