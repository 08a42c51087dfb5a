/**
 * What a server line is, as far as the display goes: a person's chat or
 * action, the server's notice or error, a private message, a line replayed
 * from the room's history. Pure; render.ts and the web page's view.ts paint
 * what this sorts. Tagged lines are sorted by their tags (meaning.ts); the
 * client's own echo of what the person typed, which has none, by its shape.
 */

import type { ServerLine } from "./meaning.ts";

/** A sorted line; `line` is always the (sanitized) text as it is shown. */
export type Shown =
  /** `op`: said by an operator (version 2's `op` tag); the line shows it "<@NAME>". */
  | { kind: "chat"; line: string; name: string; text: string; op?: boolean }
  | { kind: "action"; line: string; name: string; text: string; op?: boolean }
  | { kind: "notice"; line: string }
  | { kind: "error"; line: string }
  /** `tag` is the server's bracketed head: "[private]", "[privado]". */
  | { kind: "private-from"; line: string; tag: string; name: string; text: string }
  /** `tag` is "[private to NAME]", "[privado para NAME]". */
  | { kind: "private-to"; line: string; tag: string; name: string; text: string }
  /**
   * An earlier line of the room: `said` is the chat or action, `time` when it
   * was said (null when the server did not say), `head` the server's
   * "[history HH:MM]".
   */
  | { kind: "history"; line: string; time: Date | null; head: string; said: Shown }
  | { kind: "plain"; line: string };

// Names never hold spaces or ">" (protocol/names.ts), so these cannot be fooled
// by message text that looks like a prefix.
const CHAT = /^<([^\s>]+)> (.*)$/;
const ACTION = /^\* <([^\s>]+)> (.*)$/;

/** Sort a server line (or a line of the client's own, untagged) into what it is. */
export function classify(line: ServerLine | string): Shown {
  if (typeof line === "string") return shaped(line);
  const text = line.text;
  const m = line.meaning;
  switch (line.kind) {
    case "":
      return shaped(text);
    case "chat":
    case "action": {
      const s = shaped(text);
      if (line.tags.op === undefined || (s.kind !== "chat" && s.kind !== "action")) return s;
      const head = s.kind === "chat" ? `<@${s.name}>` : `* <@${s.name}>`;
      return { ...s, op: true, line: `${head} ${s.text}` };
    }
    case "history": {
      // Only a chat or an action is ever replayed; anything else is shown as it is.
      const said = shaped(line.tags.line ?? "");
      if (said.kind !== "chat" && said.kind !== "action") return { kind: "plain", line: text };
      const head = text.endsWith(` ${said.line}`)
        ? text.slice(0, text.length - said.line.length - 1)
        : "";
      return { kind: "history", line: text, time: line.time, head, said };
    }
    default:
      if (m?.kind === "private-from" || m?.kind === "private-to") {
        // Names hold no "]": the head ends at the first one.
        const tag = text.slice(0, text.indexOf("]") + 1);
        return { kind: m.kind, line: text, tag, name: m.name, text: m.text };
      }
      return text.startsWith("! ") ? { kind: "error", line: text } : { kind: "notice", line: text };
  }
}

/** A line sorted by its v1 shape: "<NAME> text", "* <NAME> action", "* notice", "! error". */
function shaped(line: string): Shown {
  let m = ACTION.exec(line);
  if (m) return { kind: "action", line, name: m[1] as string, text: m[2] as string };
  if (line.startsWith("* ")) return { kind: "notice", line };
  if (line.startsWith("! ")) return { kind: "error", line };
  m = CHAT.exec(line);
  if (m) return { kind: "chat", line, name: m[1] as string, text: m[2] as string };
  return { kind: "plain", line };
}
