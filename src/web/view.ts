/**
 * What one server line becomes on the page, as data: its kind (for a CSS
 * class), its time, who said it and in which of the name colours, and
 * whether it wants attention. Pure, so it is tested without a browser; the
 * classification is the terminal client's own (shown.ts, attention.ts), so
 * both clients read the server's lines, in both languages, the same way.
 * render.ts turns an Entry into elements with textContent only.
 */

import { type Attention, attention, blockAttention } from "../client/core/attention.ts";
import type { ServerLine } from "../client/core/meaning.ts";
import { classify, type Shown } from "../client/core/shown.ts";
import { formatDay, formatTime, NAME_COLORS, nameColor, stampOf } from "../client/tty/render.ts";
import type { Lang } from "../protocol/lang.ts";
import { sanitize } from "../protocol/sanitize.ts";

export interface Entry {
  /** chat, action, notice, error, private-from, private-to, history, plain */
  readonly kind: Shown["kind"];
  /**
   * "HH:MM": when a room line was said (its day too when not today), local
   * arrival time for others; "Dec 6 11:50" for a line from the room's history.
   */
  readonly time: string;
  /** Who spoke, when someone did ("" for the server's lines). */
  readonly name: string;
  /** Index of the name's colour (0..8), the terminal client's choice of colour for it. */
  readonly color: number;
  /** The private tag the server wrote ("[private]", "[privado para ana]"), or "". */
  readonly tag: string;
  /** What to show after the name (the whole line for notices and errors). */
  readonly text: string;
  /** An action ("* <ana> waves") rather than a chat line. */
  readonly action: boolean;
  /** Said by an operator: the page marks the name "@". */
  readonly op: boolean;
  readonly attention: Attention;
  /** A block's lines (several said as one, protocol/block.ts), shown apart from `text`; null for a line. */
  readonly block: readonly string[] | null;
}

/**
 * A line as the page shows it: a server line, or one of the page's own
 * (untagged: the echo of what the person typed, its own notes). `self` is
 * our name ("" before joining).
 */
export function present(
  raw: ServerLine | string,
  self: string,
  now: Date,
  lang: Lang = "en",
): Entry {
  if (typeof raw !== "string" && raw.block !== undefined)
    return blockEntry(raw, raw.block, self, now, lang);
  const shown = classify(typeof raw === "string" ? sanitize(raw) : raw);
  const said = typeof raw === "string" ? null : raw.time;
  const base = {
    kind: shown.kind,
    time: said === null ? formatTime(now) : stampOf(said, now, lang),
    tag: "",
    action: false,
    op: false,
    attention: attention(shown, self),
    block: null,
  };
  switch (shown.kind) {
    case "chat":
    case "action":
      return {
        ...base,
        ...speaker(shown.name),
        text: shown.text,
        action: shown.kind === "action",
        op: shown.op === true,
      };
    case "private-from":
      return { ...base, ...speaker(shown.name), tag: shown.tag, text: shown.text };
    case "private-to":
      // The tag names the receiver already ("[private to ana]").
      return { ...base, name: "", color: 0, tag: shown.tag, text: shown.text };
    case "history": {
      const said = shown.said as Extract<Shown, { kind: "chat" | "action" }>;
      return {
        ...base,
        ...speaker(said.name),
        time: shown.time === null ? base.time : formatDay(shown.time, lang),
        text: said.text,
        action: said.kind === "action",
      };
    }
    default:
      return { ...base, name: "", color: 0, text: shown.line };
  }
}

/**
 * A whole block (blocks.ts gathered it): who said it, when, and its lines;
 * live or from the room's history, shown the same way. It wants attention
 * as a line would, when someone else's names us.
 */
function blockEntry(
  line: ServerLine,
  lines: readonly string[],
  self: string,
  now: Date,
  lang: Lang,
): Entry {
  const history = line.kind === "history";
  const name = line.from ?? "";
  const time =
    line.time === null
      ? formatTime(now)
      : history
        ? formatDay(line.time, lang)
        : stampOf(line.time, now, lang);
  return {
    kind: history ? "history" : "chat",
    time,
    ...speaker(name),
    tag: "",
    text: lines.join("\n"),
    action: false,
    op: line.tags.op !== undefined,
    attention: blockAttention(name, lines, self, history),
    block: lines,
  };
}

/** Our own block as the page shows it when sent (the server does not send it back). */
export function ownBlock(self: string, lines: readonly string[], now: Date): Entry {
  return {
    kind: "chat",
    time: formatTime(now),
    ...speaker(self),
    tag: "",
    text: lines.join("\n"),
    action: false,
    op: false,
    attention: null,
    block: lines,
  };
}

function speaker(name: string): { name: string; color: number } {
  return { name, color: NAME_COLORS.indexOf(nameColor(name)) };
}
