/**
 * What a server line means, read from its protocol version 2 tags
 * (docs/protocol.md, "Protocol version 2"): `kind`, `ev` (the key of the
 * line's template in protocol/messages.ts) and `args` (that template's
 * arguments), `from`, `pos` and `time`. The text after the tags is the v1
 * line, kept only to be shown: no decision here reads a sentence, so the
 * server may reword any line, in any language, without the clients noticing.
 * Pure; both clients (the terminal's core and the web page) read lines here.
 */

import { LANGS } from "../../protocol/lang.ts";
import { SERVER_TEXT } from "../../protocol/messages.ts";
import { sanitize } from "../../protocol/sanitize.ts";
import { type Position, parsePosition, parseTagged, type Tags } from "../../protocol/tags.ts";

/** The first line a papo client sends on every connection. */
export const CAP_LINE = "CAP papo/2";

/** The line that asks the server to give us back our place (after CAP_LINE). */
export function resumeLine(token: string, last: Position | null): string {
  return `RESUME ${token} ${last === null ? "-" : `${last.epoch}.${last.seq}`}`;
}

/** What a line means, when it is one the client acts on. */
export type Meaning =
  /** The answer to CAP: the room's password comes first, and its limits. */
  | { kind: "cap"; password: boolean; maxLineBytes: number | null; lang: string | null }
  | { kind: "password-accepted" }
  | { kind: "wrong-password" }
  | {
      kind: "welcome";
      name: string;
      names: string[];
      complete: boolean;
      token: string | null;
      pos: Position | null;
      /** We are an operator (joined with a kept name and the operator password). */
      operator: boolean;
    }
  | { kind: "resumed"; name: string; token: string | null; operator: boolean }
  /** We are an operator now (/op, or a kept name's password). */
  | { kind: "operator" }
  /** The name we asked for is kept for operators: the operator password claims it. */
  | { kind: "name-reserved"; name: string }
  | { kind: "resume-failed" }
  | { kind: "limits"; maxLineBytes: number }
  | { kind: "joined"; name: string }
  | { kind: "left"; name: string }
  | { kind: "removed"; name: string; by: string }
  | { kind: "renamed"; from: string; to: string }
  | { kind: "who"; names: string[]; complete: boolean }
  | { kind: "private-from"; name: string; text: string }
  | { kind: "private-to"; name: string; text: string }
  | { kind: "bye" }
  | { kind: "shutdown" }
  /** The answer to /lang: `lang` is the language the server speaks to us now. */
  | { kind: "language"; lang: string | null }
  | { kind: "slow-down"; rate: number }
  /**
   * The line we just sent was not said: muted, slow or quiet mode, or a
   * private line with nobody to take it. The client gives it back to type again.
   */
  /**
   * A line we sent was refused: `text` is that line as the server names it
   * (v2 `unsaid`); null when it does not say which (nothing is given back:
   * the line sent last may well have been said).
   */
  | { kind: "not-said"; text: string | null }
  /** A name the server would not take: it waits for another. */
  | { kind: "name-refused"; taken: boolean }
  | { kind: "name-timeout" }
  | { kind: "banned-here" };

/** One server line as the client reads it. */
export interface ServerLine {
  /** The v1 line, sanitized: what is shown (in the member's language). */
  readonly text: string;
  /** The `kind` tag ("chat", "notice", "reply", "history", "gap", "cap"); "" when untagged. */
  readonly kind: string;
  /** Who said a chat, action or history line (the server writes it). */
  readonly from: string | null;
  /** A room line's place in the room's log (on a gap: the first line still kept). */
  readonly pos: Position | null;
  /** When a room or history line was said. */
  readonly time: Date | null;
  readonly tags: Tags;
  readonly meaning: Meaning | null;
  /**
   * A block's lines, sanitized, when this is a whole block (protocol/block.ts):
   * `text` is then its v1 lines with a "\n" between each, and the rest is its last line's.
   */
  readonly block?: readonly string[];
}

/** Read one line from the server (its newline already gone). */
export function read(raw: string): ServerLine {
  const { tags, text } = parseTagged(raw);
  const clean = sanitize(text);
  const time = tags.time === undefined ? null : new Date(tags.time);
  return {
    text: clean,
    kind: tags.kind ?? "",
    from: tags.from === undefined ? null : sanitize(tags.from),
    pos: parsePosition(tags.pos),
    time: time === null || Number.isNaN(time.getTime()) ? null : time,
    tags,
    meaning: tags.kind === undefined ? untagged(clean) : meaning(tags),
  };
}

/**
 * An untagged line: the greeting, or a refusal at the door. NOTE: those are
 * written as the connection opens, before the server has read our CAP, so
 * they cannot carry tags; the one refusal that decides anything (a ban, which
 * no retry undoes) is told by comparing the whole line with its template.
 */
function untagged(text: string): Meaning | null {
  for (const lang of LANGS)
    if (text === SERVER_TEXT[lang].bannedHere()) return { kind: "banned-here" };
  return null;
}

function meaning(tags: Tags): Meaning | null {
  if (tags.kind === "cap") {
    const max = Number(tags["max-line"]);
    return {
      kind: "cap",
      password: tags.password === "1",
      maxLineBytes: Number.isInteger(max) && max > 0 ? max : null,
      lang: tags.lang ?? null,
    };
  }
  const args = argsOf(tags.args);
  const str = (i: number) => (typeof args[i] === "string" ? sanitize(args[i] as string) : "");
  const num = (i: number) => (typeof args[i] === "number" ? (args[i] as number) : Number(args[i]));
  switch (tags.ev) {
    case "passwordAccepted":
      return { kind: "password-accepted" };
    case "wrongPassword":
      return { kind: "wrong-password" };
    case "welcome": {
      const names = namesOf(args[2]);
      return {
        kind: "welcome",
        name: str(0),
        names,
        complete: names.length >= num(1),
        token: tags.token ?? null,
        pos: parsePosition(tags.pos),
        operator: tags.op !== undefined,
      };
    }
    case "resumed":
      return {
        kind: "resumed",
        name: str(0),
        token: tags.token ?? null,
        operator: tags.op !== undefined,
      };
    case "nowOperator":
      return { kind: "operator" };
    case "nameReserved":
      return { kind: "name-reserved", name: str(0) };
    case "resumeFailed":
      return { kind: "resume-failed" };
    case "limits":
      return { kind: "limits", maxLineBytes: num(0) };
    case "joined":
      return { kind: "joined", name: str(0) };
    case "left":
    case "leftTooSlow":
    case "leftNotReading":
      return { kind: "left", name: str(0) };
    case "kicked":
    case "banned":
      return { kind: "removed", name: str(0), by: str(1) };
    case "renamed":
    case "nameLostInOutage":
      // nameLostInOutage's args are (old name, new name) too: our own, renamed.
      return { kind: "renamed", from: str(0), to: str(1) };
    case "who": {
      const names = namesOf(args[1]);
      return { kind: "who", names, complete: names.length >= num(0) };
    }
    case "privateFrom":
      return { kind: "private-from", name: str(0), text: str(1) };
    case "privateTo":
      return { kind: "private-to", name: str(0), text: str(1) };
    case "bye":
      return { kind: "bye" };
    case "shuttingDown":
      return { kind: "shutdown" };
    case "language":
      return { kind: "language", lang: tags.lang ?? null };
    case "slowDown":
      return { kind: "slow-down", rate: num(0) };
    case "mutedYou":
    case "slowMode":
    case "quietMode":
    case "notReading":
    case "noSuchUser":
      return { kind: "not-said", text: tags.unsaid ?? null };
    case "invalidName":
    case "nameTaken":
    case "lineTooLong":
      return { kind: "name-refused", taken: tags.ev === "nameTaken" };
    case "nameTimeout":
      return { kind: "name-timeout" };
    case "bannedHere":
      return { kind: "banned-here" };
    default:
      return null;
  }
}

/** The `args` tag: a JSON array, or nothing usable. */
function argsOf(json: string | undefined): unknown[] {
  if (json === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/**
 * The names of a welcome or /who list. A member away (resume grace) is
 * listed as "NAME (away)": names hold no spaces, so the name is what comes
 * before the first.
 */
function namesOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((item): item is string => typeof item === "string")
    .map((item) => sanitize(item).trim().split(" ")[0] as string)
    .filter((name) => name !== "");
}

/** Whether a line was said to the room: it holds a place in the room's log. */
export function isRoomLine(line: ServerLine): boolean {
  return line.kind === "chat" || line.kind === "action" || line.kind === "notice";
}
