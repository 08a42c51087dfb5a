/**
 * The events servers of one room tell each other, and their batch format.
 * Events are plain JSON-safe arrays, grouped into one batch per server per
 * event-loop turn. A batch is text (Bun's Redis client carries strings), so
 * lines travel as the strings they are and notices as data each server
 * words in its readers' languages. Pure.
 */

import type { Notice } from "../../protocol/messages.ts";
import type { Line } from "../room/dialects.ts";

/**
 * One change, as it travels between servers. Names are display names; each
 * server computes its own keys. A notice (or null) says what members read.
 */
export type Event =
  /** A member's line, remembered; by the member with this id on its server (older papos send none). */
  | ["s", string, id?: number]
  /** A line for everyone. */
  | ["a", Line]
  | ["j", name: string, host: string, notice: Notice | null]
  | ["p", name: string, notice: Notice | null]
  | ["r", from: string, to: string, notice: Notice]
  /** A private line: to, from, text. */
  | ["m", to: string, from: string, text: string]
  /** Remove a member: name, what everyone reads, why (for the log). */
  | ["x", name: string, notice: Notice, why: string]
  | ["b", host: string, name: string]
  | ["u", what: string]
  | ["t", text: string]
  /**
   * Every member this server has, each as [name, host]: replaces what others
   * knew of it, quietly when it answers "?" (a view repaired) and with join
   * and leave notices for the differences when it returns after an outage.
   */
  | ["h", members: Array<[string, string]>, quiet: boolean]
  /** Whoever reads this: send your roster ("h"), someone's view of the room is incomplete. */
  | ["?"]
  /** This server is leaving the room (shutdown): its members are gone. */
  | ["g"]
  /**
   * A member resumed on this server with a token of server `node`, where
   * its id was `id`: it leaves there without a word, and this server holds its name.
   */
  | ["y", name: string, host: string, node: string, id: number];

/**
 * Whether an event makes a line of the room's log (a member's line, an
 * announcement, a join or leave that is told, a rename): such events take
 * the batch's positions one by one, in order (docs/cluster.md,
 * "Positions"). Decided from the event's shape alone, so that the sender
 * and every reader count alike, whatever each then checks.
 */
export function positioned(event: Event): boolean {
  const e = event as unknown[];
  switch (e[0]) {
    case "s":
    case "a":
    case "r":
      return true;
    case "j":
      return e[3] !== null && e[3] !== undefined;
    case "p":
      return e[2] !== null && e[2] !== undefined;
    default:
      return false;
  }
}

/** One server's events of one turn: [node, sequence number, events]. */
export type Batch = [node: string, seq: number, events: Event[]];

export function encodeBatch(batch: Batch): string {
  return JSON.stringify(batch);
}

/**
 * A batch read back, or null when the text is not one (written by something
 * else, or a newer papo): a bad entry is skipped, never fatal. Only its frame
 * is checked here (a plain node id, a batch number from 1, events that are
 * arrays named by a string); each event's fields are checked by arrivals.ts.
 */
export function decodeBatch(text: string): Batch | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 3) return null;
  const [node, seq, events] = value as unknown[];
  if (!isNode(node) || !Number.isSafeInteger(seq) || (seq as number) < 1) return null;
  if (!Array.isArray(events)) return null;
  if (!events.every((e) => Array.isArray(e) && typeof e[0] === "string")) return null;
  return [node, seq as number, events as Event[]];
}

/**
 * A server's id as papo makes them (12 hex digits) or tests name them:
 * short and plain, so it is safe in the log and as part of a key.
 */
export function isNode(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(value);
}
