/**
 * The time a new connection has to get into the room (--name-timeout). It
 * runs while the person is at the door and stops while the server makes
 * them wait through no doing of theirs (a password waiting for others' wrong
 * answers to end, a name asked of every server). The answer to their own
 * wrong password is held on the clock: a connection that only guesses
 * still runs out of time.
 */

import type { Client } from "./client.ts";
import { type Context, words } from "./context.ts";
import { fail, goodbye } from "./output.ts";

/** At the door: the clock concerns only these. */
function atTheDoor(client: Client): boolean {
  return client.phase === "naming" || client.phase === "password";
}

/** Start the clock for a connection just greeted (no clock with --name-timeout 0). */
export function startNameClock(ctx: Context, client: Client): void {
  if (ctx.config.nameTimeoutMs > 0) ctx.door.start(client, ctx.config.nameTimeoutMs);
}

/** The server makes the person wait: stop the clock, keeping what is left. */
export function pauseNameClock(ctx: Context, client: Client): void {
  if (!atTheDoor(client)) return;
  if (!ctx.door.stop(client)) {
    if (client.timer === null) return;
    client.clearTimer();
  }
  // At least 1 ms: a deadline passed while its timer waits to run is still a clock to resume.
  client.nameLeftMs = Math.max(1, client.nameLeftMs - performance.now());
}

/** The wait is over: the clock goes on with what was left, on a timer of its own. */
export function resumeNameClock(ctx: Context, client: Client): void {
  if (!atTheDoor(client) || client.timer !== null || client.nameLeftMs <= 0) return;
  if (ctx.door.has(client)) return;
  const ms = client.nameLeftMs;
  client.nameLeftMs = performance.now() + ms;
  client.timer = setTimeout(() => {
    client.timer = null;
    nameRanOut(ctx, client);
  }, ms);
}

/** `client`'s time at the door is up: it is told so and closed, if it is still there. */
export function nameRanOut(ctx: Context, client: Client): void {
  client.nameLeftMs = 0;
  try {
    if (!atTheDoor(client)) return;
    const seconds = ctx.config.nameTimeoutMs / 1000;
    goodbye(ctx, client, words(client).nameTimeout(seconds), "no name given");
  } catch (error) {
    fail(ctx, client, error);
  }
}
