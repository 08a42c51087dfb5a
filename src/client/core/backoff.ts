/**
 * Whether the interactive client tries the room again after losing it, and
 * how long it waits first. Pure: core/link.ts keeps the timers.
 */

import type { Backoff } from "../../config.ts";
import type { ConnectFailure } from "./outcome.ts";
import type { Ending } from "./state.ts";

/**
 * Milliseconds to wait before try number `attempt` (0 is the first after a
 * loss): `firstMs`, growing by `factor` each try up to `maxMs`, spread by
 * `jitter` with `random` (from [0, 1)) so that a whole class does not knock
 * at the same instant after a restart.
 */
export function reconnectDelay(attempt: number, random: number, policy: Backoff): number {
  const grown = policy.firstMs * policy.factor ** Math.max(0, attempt);
  const spread = 1 + policy.jitter * (2 * random - 1);
  return Math.round(Math.min(policy.maxMs, Math.min(policy.maxMs, grown) * spread));
}

/** What to do once a session has ended. */
export type Next =
  /** Done: the person left, or the server's answer will not change. */
  | "stop"
  /** Wait (reconnectDelay), then try again. */
  | "retry"
  /** The server gave up on a person still typing a name or password: reconnect when they send it. */
  | "when-answered";

/** After a session that got as far as the greeting. */
export function afterEnding(ending: Ending): Next {
  switch (ending.kind) {
    case "quit":
    case "removed":
      return "stop";
    case "refused":
      if (ending.cause === "banned") return "stop";
      return ending.cause === "name-timeout" ? "when-answered" : "retry";
    case "lost":
    case "shutdown":
      return "retry";
  }
}

/** After a try that never got the greeting: only a ban is final (a full server may empty). */
export function afterFailure(failure: ConnectFailure): Next {
  return failure.code === "server" && failure.banned ? "stop" : "retry";
}

/** Whole seconds left to show in a countdown ("reconnecting in 3 s"): never 0 while waiting. */
export function secondsLeft(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
