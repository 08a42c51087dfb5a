/**
 * Answers a client's input waits for: a password (a wrong one's answer held
 * for its address's penalty), and a name, claimed on every server of a
 * shared room. Its later lines wait meanwhile (input.ts), and the name clock
 * stops (name-clock.ts).
 */

import { samePassword } from "../admission/addresses.ts";
import type { Client } from "./client.ts";
import { type Context, words } from "./context.ts";
import { awaitThen, Hold, waitThen } from "./input.ts";
import { pauseNameClock, resumeNameClock } from "./name-clock.ts";
import { tell } from "./output.ts";

/**
 * Check a password: a right one is answered at once; a wrong one's answer is
 * held for the address's penalty (admission/addresses.ts), and while the
 * address has as many wrong answers held as it may, a further password waits
 * for one to end before it is checked (the name clock stops for that wait,
 * not for the answer to one's own wrong guess). The client's later lines
 * wait for the verdict. A wrong one is logged and counted when it is found
 * wrong (never the password), so that a guess whose connection closes before
 * the held answer still shows.
 */
export function checkPassword(
  ctx: Context,
  client: Client,
  typed: string,
  which: "room" | "operator",
  verdict: (right: boolean) => void,
): void {
  const slot = ctx.gate.slotIn(client.host, performance.now());
  if (slot > 0) {
    serverWait(ctx, client, Hold.Penalty, slot, () =>
      checkPassword(ctx, client, typed, which, verdict),
    );
    return;
  }
  const secret = which === "room" ? ctx.config.roomPassword : ctx.config.opPassword;
  if (samePassword(typed, secret)) {
    verdict(true);
    return;
  }
  ctx.log.event(client, `wrong ${which} password`);
  ctx.meter.wrongPasswords[which]++;
  // Its own wrong guess: the held answer runs on the name clock.
  const held = ctx.gate.failed(client.host, performance.now());
  waitThen(ctx, client, Hold.Penalty, held, () => verdict(false));
}

/** A wait of the server's making: input held, the name clock stopped until it ends. */
function serverWait(ctx: Context, client: Client, hold: number, ms: number, then: () => void) {
  pauseNameClock(ctx, client);
  waitThen(ctx, client, hold, ms, () => {
    resumeNameClock(ctx, client);
    then();
  });
}

/** What takes a name once it may be taken (`claimed`: every server agreed); false if the room refused. */
export type TakeName = (ctx: Context, client: Client, name: string, claimed: boolean) => boolean;

/**
 * Take `name` (free in this server's view) for `client`: at once in a room
 * of one server or when `unclaimed` (a new spelling of its own name), else
 * once every server agrees. `take` does it, false when the room refused
 * after all; then the client hears the name is taken and a claimed name is
 * given back, as it is when the connection closed meanwhile.
 *
 * NOTE: `take` is a plain function, and the wait for the other servers is
 * in a function of its own: a join in a room of one server allocates no
 * closure here (ten thousand joins a second make garbage of every one).
 */
export function withName(
  ctx: Context,
  client: Client,
  name: string,
  unclaimed: boolean,
  take: TakeName,
): void {
  // Only other servers need asking (and the address, a system call to read).
  if (unclaimed || !ctx.room.shared) takeNow(ctx, client, name, take);
  else claimThenTake(ctx, client, name, take);
}

function takeNow(ctx: Context, client: Client, name: string, take: TakeName): void {
  if (!take(ctx, client, name, false)) tell(ctx, client, words(client).nameTaken(name));
}

function claimThenTake(ctx: Context, client: Client, name: string, take: TakeName): void {
  const claim = ctx.room.claim(name, client.host);
  if (claim === null) {
    takeNow(ctx, client, name, take);
    return;
  }
  const answered = (ok: boolean) => {
    if (ok && take(ctx, client, name, true)) return;
    if (ok) ctx.room.unclaim(name);
    tell(ctx, client, words(client).nameTaken(name));
  };
  pauseNameClock(ctx, client);
  const resumed = (ok: boolean) => {
    resumeNameClock(ctx, client);
    answered(ok);
  };
  awaitThen(ctx, client, Hold.Claim, claim, resumed, (ok) => ok && ctx.room.unclaim(name));
}
