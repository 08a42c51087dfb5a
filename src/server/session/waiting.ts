/**
 * Input that waits: hold a client's input for a while (flood control's next
 * token, a password's penalty) or until an answer comes (a name claimed on
 * every server), then go on. Checking a password waits like this when
 * earlier wrong ones from its address earned it.
 */

import { samePassword } from "../admission/addresses.ts";
import { type Client, Hold } from "./client.ts";
import { type Context, talking } from "./context.ts";
import { cut } from "./output.ts";

/** Hold the client's input for `ms`, then run `then` and go on with its lines. */
export function waitThen(
  ctx: Context,
  client: Client,
  hold: number,
  ms: number,
  then: () => void,
): void {
  client.hold(hold);
  client.clearWaitTimer();
  client.waitTimer = setTimeout(() => {
    client.waitTimer = null;
    client.holds &= ~hold;
    if (!talking(client)) return;
    then();
    if (client.holds === 0) ctx.resume(client);
  }, Math.ceil(ms));
}

/**
 * Hold the client's input until `answer` settles, then run `then` with it
 * and go on with its lines; a connection that closed meanwhile gets
 * `gone` instead, so whatever the answer took can be given back.
 */
export function awaitThen<T>(
  ctx: Context,
  client: Client,
  hold: number,
  answer: Promise<T>,
  then: (value: T) => void,
  gone: (value: T) => void,
): void {
  client.hold(hold);
  answer
    .then((value) => {
      client.holds &= ~hold;
      if (!talking(client)) {
        gone(value);
        return;
      }
      then(value);
      if (client.holds === 0) ctx.resume(client);
    })
    .catch((error: Error) => {
      // A bug, never bad input: like a throwing socket handler, it cuts this connection only.
      ctx.log.info(`error on ${client.address}: ${error.stack ?? error.message}`);
      cut(client, `internal error: ${error.message}`);
    });
}

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
