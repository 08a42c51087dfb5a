/**
 * The other servers of a room spread over several processes, as the room
 * and the commands see them: what they must be told (lines, presence,
 * private lines and removals for members who live elsewhere, bans, the
 * topic) and the one thing they must be asked (whether a name is free
 * everywhere). A single process has no peers (null), and nothing here knows
 * how the telling travels: cluster/cluster.ts turns these calls into
 * events (cluster/events.ts) and events from the others into room calls;
 * cluster/redis.ts carries them.
 */

import type { Lang } from "../../protocol/lang.ts";
import type { Notice } from "../../protocol/messages.ts";
import type { Line } from "./dialects.ts";
import type { Wire } from "./log.ts";

/** A member of the room who lives on another server. */
export interface Remote {
  readonly name: string;
  /** The server it is connected to. */
  readonly node: string;
  /** Its address, so an operator anywhere can ban it. */
  readonly host: string;
}

/**
 * Delivers one of this server's own lines to its members, once the room's
 * order is known: at `wire`, the position the stream gave it, said at `at`
 * (ms since the epoch); `wire` undefined when the link went down first (then
 * at once, at this server's own position).
 */
export type Here = (wire: Wire | undefined, at: number) => void;

/** What a member that resumes on another server brings with it (its token's record). */
export interface Moved {
  /** The server it was on, and its id there (its own lines there are its own here too). */
  readonly node: string;
  readonly id: number;
  readonly name: string;
  readonly operator: boolean;
  readonly lang: Lang;
  /** Its address there (the name's claim says it). */
  readonly host: string;
}

/** A token's member, brought here; "spent": it was used already; null: unknown here (or Redis away). */
export type Taken = Moved | "spent" | null;

export interface Peers {
  /**
   * Whether this server's own lines reach its members in the stream's
   * order (the link is up): then each call below that takes a `here` calls
   * it when the stream has placed the line, and the room delivers nothing
   * at once. Otherwise `here` is null and the room delivered already.
   */
  readonly ordered: boolean;
  /** This turn's batch holds as much as one turn may: further input waits for the next. */
  readonly busy: boolean;
  /** A member's own line (chat or action) by member `id`, remembered for newcomers everywhere. */
  said(line: string, id: number, here: Here | null): void;
  /** A line for everyone, not remembered. */
  announced(line: Line, here: Here | null): void;
  joined(name: string, host: string, notice: Notice | null, here: Here | null): void;
  left(name: string, notice: Notice | null, here: Here | null): void;
  renamed(from: string, to: string, notice: Notice, here: Here | null): void;
  /** Keep a member's resume token where every server can check it (its secret as a hash). */
  keepToken(id: string, secret: Buffer, member: Moved): void;
  /** A token is spent or void. */
  dropToken(id: string): void;
  /**
   * A token this server does not hold: the member it belongs to, if the
   * secret is right, its name now claimed for this server (a connection
   * from `host`), the token spent; null otherwise.
   */
  takeToken(id: string, secret: Buffer, host: string): Promise<Taken>;
  /** A take that came to nothing (the connection went meanwhile): the token and the name as before. */
  giveBack(id: string, secret: Buffer, member: Moved): void;
  /** A member of `from.node` resumed here as `name`: it leaves there without a word. */
  movedHere(from: Moved, host: string): void;
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
