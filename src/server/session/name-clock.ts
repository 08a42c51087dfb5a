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

/** What the door knows of a connection: its deadline, and whether its clock runs in the door's line. */
export interface AtTheDoor {
  /** Its deadline (performance.now() ms) while its clock runs. */
  nameLeftMs: number;
  onDoorClock: boolean;
}

/**
 * The clocks that run from a connection's greeting. Each runs for the same
 * --name-timeout, so they end in the order they started: they wait in one
 * line, oldest first, under one timer for the oldest. A timer made and
 * cleared for every connection was 3-4% of a join's CPU, and a Set of them
 * cost as much again; a stopped clock is only unmarked (onDoorClock), and
 * passed over when its turn comes, or dropped when the line is compacted
 * (once it holds more stopped clocks than running ones), so a connection
 * that left is not kept for long. A clock stopped and started again has less
 * left than newer ones: it gets a timer of its own (client.timer) instead.
 */
export class Door<C extends AtTheDoor = Client> {
  /** Clocks started here, oldest first, from `head` on; some may have stopped since. */
  private line: C[] = [];
  private head = 0;
  /** How many of them still run. */
  private running = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly run = () => this.due();

  constructor(
    private readonly expired: (client: C) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Start `client`'s clock for `ms`, the same for every client. */
  start(client: C, ms: number): void {
    client.nameLeftMs = this.now() + ms;
    client.onDoorClock = true;
    this.line.push(client);
    this.running++;
    if (this.timer === null) this.arm(ms);
  }

  /** Stop `client`'s clock (it got in, it closed, or it waits); false if it did not run here. */
  stop(client: C): boolean {
    if (!client.onDoorClock) return false;
    client.onDoorClock = false;
    this.running--;
    if (this.running === 0) {
      this.line = [];
      this.head = 0;
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
    } else if (this.line.length - this.head > 2 * this.running + 64) {
      this.line = this.line.slice(this.head).filter((c) => c.onDoorClock);
      this.head = 0;
    }
    return true;
  }

  has(client: C): boolean {
    return client.onDoorClock;
  }

  /** Connections the line holds, stopped clocks included (what it keeps alive). */
  get held(): number {
    return this.line.length - this.head;
  }

  private arm(ms: number): void {
    // A clock started from inside due() armed one already: one timer at a time.
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(this.run, Math.max(1, Math.ceil(ms)));
  }

  /** The oldest clocks ran out: tell each, then wait for the next one. */
  private due(): void {
    this.timer = null;
    const now = this.now();
    try {
      while (this.head < this.line.length) {
        const client = this.line[this.head] as C;
        if (!client.onDoorClock) {
          this.head++;
          continue;
        }
        if (client.nameLeftMs > now) break;
        this.head++;
        client.onDoorClock = false;
        this.running--;
        this.expired(client);
      }
    } finally {
      // Whatever happened to the last one told, the clocks after it still run.
      this.next();
    }
  }

  /** Arm the timer for the oldest clock still running, and drop what is behind it. */
  private next(): void {
    while (this.head < this.line.length && !(this.line[this.head] as C).onDoorClock) this.head++;
    const oldest = this.line[this.head];
    // Always for the oldest: one started meanwhile (from a callback) armed for its own, later, end.
    if (oldest !== undefined) this.arm(oldest.nameLeftMs - this.now());
    if (this.head >= this.line.length) {
      this.line = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.line.length) {
      this.line = this.line.slice(this.head);
      this.head = 0;
    }
  }
}

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

/** The clock stops for good: `client` got into the room, or closed. */
export function stopNameClock(ctx: Context, client: Client): void {
  ctx.door.stop(client);
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
