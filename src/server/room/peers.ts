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

import type { Notice } from "../../protocol/messages.ts";
import type { Line } from "./dialects.ts";

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
