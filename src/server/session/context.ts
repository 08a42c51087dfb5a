/**
 * What every session shares, and the two facts about a client that every
 * part of a session asks: whether it is still talking, and in which language.
 */

import { randomBytes } from "node:crypto";
import type { ServerConfig } from "../../config.ts";
import type { Decoded } from "../../protocol/lines.ts";
import type { ServerText } from "../../protocol/messages.ts";
import type { Gate } from "../admission/addresses.ts";
import type { Log } from "../log.ts";
import type { Meter } from "../metrics/meter.ts";
import type { Room } from "../room/room.ts";
import type { Client } from "./client.ts";
import type { Door } from "./door.ts";
import { wordsFor } from "./v2.ts";

/** What acts on one line the input flow lets through (the session's lifecycle). */
export type LineHandler = (ctx: Context, client: Client, line: Decoded) => void;

/** Resume tokens (resume.ts): a token's secret, by its id, and the member it belongs to. */
export type Tokens = Map<string, { secret: Buffer; client: Client }>;

/** What every session shares: the room, the door, the limits, the log. */
export interface Context {
  readonly room: Room<Client>;
  readonly gate: Gate;
  readonly config: ServerConfig;
  readonly log: Log;
  /** Clients whose input waits for the next turn. */
  readonly waiting: Waiting;
  /** The clocks of the connections at the door (name-clock.ts). */
  readonly door: Door<Client>;
  /** Acts on one line the input flow let through (lifecycle.ts's handle). */
  readonly handle: LineHandler;
  /** Resume tokens of the members that hold one (resume.ts). */
  readonly tokens: Tokens;
  /** Operators' one-time tickets for the room's transcript on the web (commands.ts, http.ts). */
  readonly transcripts: Tickets;
  /** What the metrics count as it happens (metrics/meter.ts). */
  readonly meter: Meter;
}

/** Clients whose input waits for the next turn, first come first served. */
export class Waiting {
  readonly clients = new Set<Client>();
  /** A next turn is queued (exactly one, however many clients wait). */
  scheduled = false;
}

export const TICKETS = {
  /** How long a transcript ticket may wait to be used (ms). */
  lifeMs: 60_000,
  /** Tickets waiting at once; past it the oldest goes. */
  most: 32,
  /** Random bytes in a ticket (base64url in the path: 32 characters). */
  bytes: 24,
} as const;

/**
 * One-time tickets for the room's transcript: /transcript gives an operator
 * one (commands.ts), the web server takes it once, within its life, and
 * serves the transcript for it (transport/http.ts). Nobody without one
 * gets it; nothing of it outlives the process.
 */
export class Tickets {
  /** The web server reads the room's store: a ticket can be used (set by startWeb). */
  served = false;
  /** Each waiting ticket, and when it expires; oldest first. */
  private readonly waiting = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  give(): string {
    this.expire();
    const ticket = randomBytes(TICKETS.bytes).toString("base64url");
    this.waiting.set(ticket, this.now() + TICKETS.lifeMs);
    for (const oldest of this.waiting.keys()) {
      if (this.waiting.size <= TICKETS.most) break;
      this.waiting.delete(oldest);
    }
    return ticket;
  }

  /** Whether `ticket` was given and is still good; it is spent either way. */
  take(ticket: string): boolean {
    const expires = this.waiting.get(ticket);
    this.waiting.delete(ticket);
    return expires !== undefined && this.now() < expires;
  }

  private expire(): void {
    const now = this.now();
    for (const [ticket, expires] of this.waiting) if (expires <= now) this.waiting.delete(ticket);
  }
}

/** The server's words in the language this client reads, tagged when it speaks version 2. */
export const words = (client: Client): ServerText => wordsFor(client.lang, client.v2);

/** Still in the conversation: input is acted on (not closing or closed). */
export function talking(client: Client): boolean {
  return client.phase === "naming" || client.phase === "joined" || client.phase === "password";
}
