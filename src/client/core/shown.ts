/**
 * What a server line is, as far as the terminal's display goes: a person's
 * chat or action, the server's notice or error, a private message, a line
 * replayed from the room's history. Pure; render.ts paints what this sorts.
 */

import { hear } from "./heard.ts";

/** A sorted line; `line` is always the (sanitized) line as it came. */
export type Shown =
  | { kind: "chat"; line: string; name: string; text: string }
  | { kind: "action"; line: string; name: string; text: string }
  | { kind: "notice"; line: string }
  | { kind: "error"; line: string }
  /** `tag` is the server's bracketed head: "[private]", "[privado]". */
  | { kind: "private-from"; line: string; tag: string; name: string; text: string }
  /** `tag` is "[private to NAME]", "[privado para NAME]". */
  | { kind: "private-to"; line: string; tag: string; name: string; text: string }
  /** An earlier line of the room: `said` is the chat or action, `time` the server's HH:MM. */
  | { kind: "history"; line: string; time: string; said: Shown }
  | { kind: "plain"; line: string };

// Names never hold spaces or ">" (protocol/names.ts), so these cannot be fooled
// by message text that looks like a prefix.
const CHAT = /^<([^\s>]+)> (.*)$/;
const ACTION = /^\* <([^\s>]+)> (.*)$/;

/** Sort a (sanitized) server line into what it is, in whichever language the server speaks. */
export function classify(line: string): Shown {
  let m = ACTION.exec(line);
  if (m) return { kind: "action", line, name: m[1] as string, text: m[2] as string };
  if (line.startsWith("* ")) return { kind: "notice", line };
  if (line.startsWith("! ")) return { kind: "error", line };
  m = CHAT.exec(line);
  if (m) return { kind: "chat", line, name: m[1] as string, text: m[2] as string };
  const heard = line.startsWith("[") ? hear(line) : null;
  switch (heard?.kind) {
    case "private-from":
    case "private-to":
      return { kind: heard.kind, line, tag: heard.tag, name: heard.name, text: heard.text };
    case "history": {
      // Only a chat or an action is ever replayed; anything else is shown as it is.
      const said = classify(heard.line);
      if (said.kind !== "chat" && said.kind !== "action") return { kind: "plain", line };
      return { kind: "history", line, time: heard.time, said };
    }
    default:
      return { kind: "plain", line };
  }
}
