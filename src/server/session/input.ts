/**
 * A connection's input flow: the one place that decides when what a client
 * sent is acted on, when it waits, and when its socket is read again.
 *
 * Input is worked through line by line for as long as nothing holds it. A
 * hold is one bit of {@link Hold}: its own replies wait unread, flood
 * control waits for a token, the turn is full, a password waits out its
 * penalty, or the other servers are asked for a name. While any bit is set
 * the socket is paused and what was read stays in the decoder (at most one
 * read), so the kernel and TCP hold the rest and nothing is dropped. Every
 * hold ends through {@link release}, which goes on with the input once no
 * other hold is left.
 */

import { away } from "./away.ts";
import type { Client } from "./client.ts";
import { type Context, talking, words } from "./context.ts";
import { closeGracefully, fail, tell } from "./output.ts";
import type { TokenBucket } from "./ratelimit.ts";

/** Why the server is not reading a client's socket; it reads again once none is left. */
export const Hold = {
  /** Its own queue (replies to it) is over its cap: it should read before saying more. */
  Owed: 1,
  /** Over its line rate: its next line waits for a token. */
  Flood: 2,
  /** The turn is full: the rest of its input waits for the next turn. */
  Turn: 4,
  /** A password from this address waits after earlier wrong ones. */
  Penalty: 8,
  /** The other servers are asked whether a name is free. */
  Claim: 16,
} as const;

export type { LineHandler } from "./context.ts";

/** Bytes arrived: keep them, and work through them unless something holds this client. */
export function receive(ctx: Context, client: Client, chunk: Uint8Array): void {
  // Closing: read and discard until the peer closes, so it is never answered with a reset.
  if (!talking(client)) return;
  client.decoder.feed(chunk);
  if (client.holds !== 0) return;
  // Others wait for a turn already: queue behind them rather than take the turn they wait for.
  if (ctx.waiting.clients.size > 0) defer(ctx, client);
  else work(ctx, client);
}

/**
 * Act on the lines received so far, in order, until they run out, something
 * holds them (flood control, a password's penalty), or the turn is full.
 */
export function work(ctx: Context, client: Client): void {
  const { room } = ctx;
  while (talking(client) && client.holds === 0) {
    if (!client.decoder.holding && !client.peerEnded) break;
    if (room.turnFull) {
      defer(ctx, client);
      return;
    }
    // The lines of a block after its first take no token: a long one is charged as it ends (block.ts).
    const bucket = client.block?.free === true ? null : client.bucket;
    const now = performance.now();
    const wait = bucket === null ? 0 : bucket.wait(now);
    if (bucket !== null && wait > 0) {
      delay(ctx, client, bucket, now, wait);
      return;
    }
    const line = client.decoder.next() ?? (client.peerEnded ? client.decoder.finish() : undefined);
    if (line === undefined) break;
    bucket?.take(now);
    ctx.handle(ctx, client, line);
    // It asks faster than it reads the answers: its input waits until it reads (relieved).
    if (talking(client) && room.owesTooMuch(client)) client.hold(Hold.Owed);
  }
  if (client.holds !== 0) return;
  if (client.peerEnded && talking(client)) {
    // Everything it sent before its end has been handled. Without /quit, a member holding a
    // resume token is away, as after any close: a client killed, or a socket cut (even with
    // a reset asked for), may end with a FIN, and its person means to come back.
    if (away(ctx, client)) {
      client.connection.end();
      return;
    }
    // Otherwise (nc at the end of its input) it leaves.
    room.leave(client);
    closeGracefully(ctx, client, "disconnected");
    return;
  }
  client.readAgain();
}

/**
 * `hold` is over: run `then` (what the wait was for) and go on with the
 * client's input unless another hold remains. Every hold ends here.
 */
export function release(ctx: Context, client: Client, hold: number, then?: () => void): void {
  client.holds &= ~hold;
  if (!talking(client)) return;
  then?.();
  if (client.holds === 0) work(ctx, client);
}

/**
 * The peer will send nothing more (it shut down its side, like nc at the end
 * of its input). Its last lines, even one without a newline, are handled;
 * then it leaves the room and is closed once what it is owed has been sent.
 */
export function peerEnded(ctx: Context, client: Client): void {
  client.peerEnded = true;
  if (client.phase === "ending" || client.phase === "closed") {
    // Both sides are done: nothing is lost by closing now.
    client.connection.end();
    return;
  }
  if (talking(client) && client.holds === 0) work(ctx, client);
}

/** The turn has gathered enough: this client's input waits for the next one. */
function defer(ctx: Context, client: Client): void {
  const { waiting } = ctx;
  client.hold(Hold.Turn);
  waiting.clients.add(client);
  if (waiting.scheduled) return;
  waiting.scheduled = true;
  setImmediate(() => nextTurn(ctx));
}

/**
 * A new turn for the clients that were waiting, oldest first. When the turn
 * fills up again, those not reached go first next time and the one that
 * filled it goes last, so one client with a full read cannot starve the rest.
 */
function nextTurn(ctx: Context): void {
  const { waiting } = ctx;
  waiting.scheduled = false;
  const queue = [...waiting.clients];
  waiting.clients.clear();
  for (let i = 0; i < queue.length; i++) {
    const client = queue[i] as Client;
    client.holds &= ~Hold.Turn;
    // Held or delayed: that hold's own release calls work() again.
    if (client.holds !== 0) continue;
    try {
      work(ctx, client);
    } catch (error) {
      // Outside any socket handler: a throw costs this client, not the turn of the rest.
      fail(ctx, client, error);
      continue;
    }
    if (!ctx.room.turnFull || i + 1 === queue.length) continue;
    const again = waiting.clients.delete(client);
    for (const rest of queue.slice(i + 1)) defer(ctx, rest);
    if (again) defer(ctx, client);
    return;
  }
}

/** Over its rate: the next line waits for a token; the sender hears once per burst. */
function delay(ctx: Context, client: Client, bucket: TokenBucket, now: number, wait: number): void {
  ctx.meter.floodDelays++;
  if (bucket.shouldWarn(now)) tell(ctx, client, words(client).slowDown(ctx.config.rateLimit));
  waitThen(ctx, client, Hold.Flood, wait, () => {});
}

/** The client read enough of its own queue: take its input again. */
export function relieved(ctx: Context, client: Client): void {
  if ((client.holds & Hold.Owed) === 0) return;
  try {
    release(ctx, client, Hold.Owed);
  } catch (error) {
    fail(ctx, client, error);
  }
}

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
    try {
      release(ctx, client, hold, then);
    } catch (error) {
      fail(ctx, client, error);
    }
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
      if (talking(client)) {
        release(ctx, client, hold, () => then(value));
        return;
      }
      client.holds &= ~hold;
      gone(value);
    })
    // A bug, never bad input: like a throwing socket handler, it cuts this connection only.
    .catch((error: unknown) => fail(ctx, client, error));
}
