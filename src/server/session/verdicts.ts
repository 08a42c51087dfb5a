/**
 * Answers a client's input waits for: a password, checked after the wait
 * that earlier wrong ones from its address earned, and a name, claimed on
 * every server of a shared room. Its later lines wait meanwhile (input.ts).
 */

import { samePassword } from "../admission/addresses.ts";
import type { Client } from "./client.ts";
import { type Context, words } from "./context.ts";
import { awaitThen, Hold, waitThen } from "./input.ts";
import { tell } from "./output.ts";

/**
 * Check a password, after the wait that earlier wrong ones from this address
 * earned; the client's later lines wait for the verdict.
 */
export function checkPassword(
  ctx: Context,
  client: Client,
  typed: string,
  secret: string,
  verdict: (right: boolean) => void,
): void {
  const check = () => {
    const right = samePassword(typed, secret);
    if (right) ctx.gate.passed(client.host);
    else ctx.gate.failed(client.host, performance.now());
    verdict(right);
  };
  const wait = ctx.gate.wait(client.host, performance.now());
  if (wait <= 0) check();
  else waitThen(ctx, client, Hold.Penalty, wait, check);
}

/**
 * Take `name` (free in this server's view) for `client`: at once in a room
 * of one server or when `unclaimed` (a new spelling of its own name), else
 * once every server agrees. `take(claimed)` does it, false when the room
 * refused after all; then the client hears the name is taken and a claimed
 * name is given back, as it is when the connection closed meanwhile.
 */
export function withName(
  ctx: Context,
  client: Client,
  name: string,
  unclaimed: boolean,
  take: (claimed: boolean) => boolean,
): void {
  const taken = () => tell(ctx, client, words(client).nameTaken(name));
  const claim = unclaimed ? null : ctx.room.claim(name, client.host);
  if (claim === null) {
    if (!take(false)) taken();
    return;
  }
  const answered = (ok: boolean) => {
    if (ok && take(true)) return;
    if (ok) ctx.room.unclaim(name);
    taken();
  };
  awaitThen(ctx, client, Hold.Claim, claim, answered, (ok) => ok && ctx.room.unclaim(name));
}
