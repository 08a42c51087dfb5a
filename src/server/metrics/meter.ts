/**
 * What the server counts as things happen, for the metrics (registry.ts):
 * plain integer fields, one increment per event where it happens, read only
 * when somebody scrapes. Nothing here allocates, times or labels anything;
 * the room's own figures (lines, deliveries, bytes out, lines skipped) are
 * the fan-out's fields, read the same way.
 */

/** Why the server ended a connection or refused one at the door. */
export type Eviction =
  | "not reading"
  | "kicked"
  | "banned"
  | "refused banned"
  | "refused address cap"
  | "refused server full";

export const EVICTIONS: readonly Eviction[] = [
  "not reading",
  "kicked",
  "banned",
  "refused banned",
  "refused address cap",
  "refused server full",
];

/** Which password a wrong guess was for. */
export type Password = "room" | "operator";

export class Meter {
  /** Connections opened, whatever the transport (refused ones included). */
  connections = 0;
  /** Lines held back by flood control (each wait for a token is one). */
  floodDelays = 0;
  /** Connections ended or refused by the server, by why. */
  readonly evictions: Record<Eviction, number> = {
    "not reading": 0,
    kicked: 0,
    banned: 0,
    "refused banned": 0,
    "refused address cap": 0,
    "refused server full": 0,
  };
  /** Wrong passwords, by which. */
  readonly wrongPasswords: Record<Password, number> = { room: 0, operator: 0 };
}
