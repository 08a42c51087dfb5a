/**
 * What every session shares, and the two facts about a client that every
 * part of a session asks: whether it is still talking, and in which language.
 */

import type { ServerConfig } from "../../config.ts";
import type { Decoded } from "../../protocol/lines.ts";
import type { ServerText } from "../../protocol/messages.ts";
import type { Gate } from "../admission/addresses.ts";
import type { Log } from "../log.ts";
import type { Room } from "../room/room.ts";
import type { Client } from "./client.ts";
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
  /** Acts on one line the input flow let through (lifecycle.ts's handle). */
  readonly handle: LineHandler;
  /** Resume tokens of the members that hold one (resume.ts). */
  readonly tokens: Tokens;
}

/** Clients whose input waits for the next turn, first come first served. */
export class Waiting {
  readonly clients = new Set<Client>();
  /** A next turn is queued (exactly one, however many clients wait). */
  scheduled = false;
}

/** The server's words in the language this client reads, tagged when it speaks version 2. */
export const words = (client: Client): ServerText => wordsFor(client.lang, client.v2);

/** Still in the conversation: input is acted on (not closing or closed). */
export function talking(client: Client): boolean {
  return client.phase === "naming" || client.phase === "joined" || client.phase === "password";
}
