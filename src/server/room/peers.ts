/**
 * The other servers of a room spread over several processes, as the room
 * and the commands see them: what they must be told (lines, presence,
 * private lines and removals for members who live elsewhere, bans, the
 * topic) and the one thing they must be asked (whether a name is free
 * everywhere). A single process has no peers (null), and nothing here knows
 * how the telling travels: cluster.ts turns these calls into events and
 * events from the others into room calls; redis.ts carries them.
 *
 * Events are plain JSON-safe arrays, grouped into one batch per server per
 * event-loop turn. A batch is text (Bun's Redis client carries strings), so
 * lines travel as the strings they are and notices as data each server
 * words in its readers' languages.
 */

import type { Notice } from "../../protocol/messages.ts";
import type { Line } from "./fanout.ts";

/** A member of the room who lives on another server. */
export interface Remote {
  readonly name: string;
  /** The server it is connected to. */
  readonly node: string;
  /** Its address, so an operator anywhere can ban it. */
  readonly host: string;
}

export interface Peers {
  /** A member's own line (chat or action), remembered for newcomers everywhere. */
  said(line: string): void;
  /** A line for everyone, not remembered. */
  announced(line: Line): void;
  joined(name: string, host: string, notice: Notice | null): void;
  left(name: string, notice: Notice | null): void;
  renamed(from: string, to: string, notice: Notice): void;
  /** A private line for a member on another server. */
  whisper(to: Remote, from: string, text: string): void;
  /** An operator removes a member who lives on another server. */
  remove(who: Remote, notice: Notice, why: string): void;
  /** An address is banned everywhere, under the name it was banned as. */
  ban(host: string, name: string): void;
  /** `what` as the operator typed it; `address` the ban it lifted here, if any. */
  unban(what: string, address: string | null): void;
  topic(text: string): void;
  /**
   * Claim a name for a member of this server, everywhere at once: true when
   * it is this server's now. While the other servers cannot be reached, the
   * room's own view decides, and the claim is checked again once they can.
   */
  claim(name: string, host: string): Promise<boolean>;
  /** Forget a claim that no member took after all (its connection closed meanwhile). */
  unclaim(name: string): void;
}

/**
 * One change, as it travels between servers. Names are display names; each
 * server computes its own keys. A notice (or null) says what members read.
 */
export type Event =
  /** A member's line, remembered. */
  | ["s", string]
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
  | ["g"];

/** One server's events of one turn: [node, sequence number, events]. */
export type Batch = [node: string, seq: number, events: Event[]];

export function encodeBatch(batch: Batch): string {
  return JSON.stringify(batch);
}

/**
 * A batch read back, or null when the text is not one (written by something
 * else, or a newer papo): a bad entry is skipped, never fatal.
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
  if (typeof node !== "string" || typeof seq !== "number" || !Array.isArray(events)) return null;
  if (!events.every((e) => Array.isArray(e) && typeof e[0] === "string")) return null;
  return [node, seq, events as Event[]];
}
