/**
 * What a client keeps across its connections to come back to the room where
 * it left (docs/protocol.md, "Resume"): the secret token of its last welcome
 * or resume, and the position of the last room line it showed. With them it
 * asks for what it missed after a reconnect, and never shows a line twice:
 * a line is the same line when its position is, whatever connection, replay
 * or history brought it. Pure; the terminal's link and the web page each
 * hold one for their life.
 */

import type { Position } from "../../protocol/tags.ts";
import { resumeLine, type ServerLine } from "./meaning.ts";

/** What a rejoin (a resume the server refused) means for what was missed. */
export type Missed =
  /** The room's log started afresh (the server restarted without it): what was said is gone. */
  | "restart"
  /** Lines were said while away; only what the room's history replays of them comes back. */
  | "some"
  | null;

export class Resume {
  /** The secret to resume with; spent by each resume, replaced by its answer. */
  private token: string | null = null;
  /** The last room line shown (or the welcome's position, the line before our first). */
  private last: Position | null = null;
  /** History lines are read against where we were before this welcome, not after it. */
  private historyFloor: Position | null = null;

  /** The RESUME line for a new connection, or null when there is nothing to resume. */
  request(): string | null {
    return this.token === null ? null : resumeLine(this.token, this.last);
  }

  /**
   * Joined (a new member): keep its token; its position is where the room
   * starts for us. Says what was missed when this is a rejoin after a lost
   * connection whose resume did not work.
   */
  welcomed(token: string | null, pos: Position | null): Missed {
    this.token = token;
    const before = this.last;
    this.historyFloor = before;
    if (pos === null) return null;
    if (before === null) {
      this.last = pos;
      return null;
    }
    if (pos.epoch !== before.epoch) {
      this.last = pos;
      return "restart";
    }
    if (pos.seq > before.seq) this.last = pos;
    return pos.seq > before.seq ? "some" : null;
  }

  /** Back in the room: the token used is spent, this one replaces it. */
  resumed(token: string | null): void {
    this.token = token;
  }

  /** The server knew no such token: nothing to resume with until the next welcome. */
  failed(): void {
    this.token = null;
  }

  /**
   * Whether to show a line: every line without a position; a room line or a
   * history line only if no line at its position was shown before. Records
   * what it lets through.
   */
  shows(line: ServerLine): boolean {
    const pos = line.pos;
    if (pos === null || line.kind === "gap") return true;
    if (line.kind === "history") return !covers(this.historyFloor, pos);
    if (line.kind !== "chat" && line.kind !== "action" && line.kind !== "notice") return true;
    if (covers(this.last, pos)) return false;
    this.last = pos;
    return true;
  }
}

/** Whether a line at `pos` was shown already, `last` being the last one shown. */
function covers(last: Position | null, pos: Position): boolean {
  return last !== null && last.epoch === pos.epoch && pos.seq <= last.seq;
}
