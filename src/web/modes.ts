/**
 * The room's moderation modes, slow mode and quiet mode, read from the
 * notices that turn them on and off (their v2 `ev`: slowOn, slowOff, quietOn,
 * quietOff; docs/protocol.md, "Moderation"), so the page's header keeps
 * showing them after the notice has scrolled away. Pure.
 *
 * NOTE: a member who joins later hears none of the notices: the welcome says
 * nothing of the modes. A `roomModes` reply after the welcome
 * (`args=[SECONDS, QUIET]`, 0 and false for off) is read here too, for when
 * the server sends it.
 */

import type { ServerLine } from "../client/core/meaning.ts";
import { argsOf } from "./topic.ts";

/** Slow mode's seconds between a member's lines (null: off), and whether only operators speak. */
export interface Modes {
  readonly slow: number | null;
  readonly quiet: boolean;
}

export const NO_MODES: Modes = { slow: null, quiet: false };

/** The modes after `line`, from `modes` before it; the same object when it tells nothing of them. */
export function modesAfter(modes: Modes, line: ServerLine): Modes {
  const args = argsOf(line.tags.args);
  switch (line.tags.ev) {
    case "slowOn": {
      const seconds = Number(args[1]);
      return Number.isFinite(seconds) && seconds > 0 ? { ...modes, slow: seconds } : modes;
    }
    case "slowOff":
      return { ...modes, slow: null };
    case "quietOn":
      return { ...modes, quiet: true };
    case "quietOff":
      return { ...modes, quiet: false };
    case "roomModes": {
      const seconds = Number(args[0]);
      return {
        slow: Number.isFinite(seconds) && seconds > 0 ? seconds : null,
        quiet: args[1] === true,
      };
    }
    default:
      return modes;
  }
}
