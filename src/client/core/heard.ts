/**
 * Recognizes the server's own lines, in every language it speaks. The
 * patterns are built from the tables that build the lines
 * (protocol/messages.ts): each template is called with markers for its
 * arguments and the result becomes a regular expression, so the client
 * follows any change of wording. Pure.
 *
 * Only lines no user can produce are recognized: notices ("* " not followed
 * by "<"), errors ("! "), and the bracketed private and history lines, whose
 * names the server writes. A person's words reach others only after their
 * "<NAME>", so none of these patterns can match what someone typed.
 */

import { LANGS, type Lang } from "../../protocol/lang.ts";
import { PROTOCOL } from "../../protocol/limits.ts";
import { SERVER_TEXT, type ServerText } from "../../protocol/messages.ts";
import { checkName } from "../../protocol/names.ts";

/** What a server line is, when it is one the client acts on. */
export type Heard =
  | { kind: "greeting"; lang: Lang; password: boolean }
  | { kind: "password-accepted" }
  | { kind: "wrong-password" }
  | { kind: "welcome"; name: string; names: string[]; complete: boolean }
  | { kind: "limits"; maxLineBytes: number }
  | { kind: "history"; time: string; line: string }
  | { kind: "joined"; name: string }
  | { kind: "left"; name: string }
  | { kind: "removed"; name: string; by: string }
  | { kind: "renamed"; from: string; to: string }
  | { kind: "who"; names: string[]; complete: boolean }
  /** `tag` is the bracketed head as the server wrote it: "[private]", "[privado]". */
  | { kind: "private-from"; tag: string; name: string; text: string }
  /** `tag` is "[private to NAME]", "[privado para NAME]". */
  | { kind: "private-to"; tag: string; name: string; text: string }
  | { kind: "bye" }
  | { kind: "shutdown" }
  | { kind: "language"; lang: Lang }
  | { kind: "slow-down"; rate: number }
  | { kind: "name-taken" }
  | { kind: "name-timeout" }
  | { kind: "banned-here" };

/** Letters, marks, digits, "_", "." and "-": what names are made of (protocol/names.ts). */
const NAME = "[\\p{L}\\p{M}\\p{Nd}_.\\-]+";
const NUMBER = "\\d+(?:\\.\\d+)?";
const TIME = "\\d{1,2}:\\d{2}";

/** A string argument's marker: private-use characters, which no template contains. */
const mark = (key: string): string => `\uE000${key}\uE001`;
/** Numeric arguments' markers, distinct from any number a template writes itself. */
const N1 = 900_001;
const N2 = 900_002;
const N3 = 900_003;

/** `text` as a regular expression that matches it literally. */
export const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

type Group = readonly [marker: string | number, name: string, pattern: string];

/**
 * A template's sample (built with markers) as a pattern with one named group
 * per marker. `whole` anchors the end too; otherwise the line may go on.
 */
function shape(sample: string, groups: readonly Group[], whole = true): RegExp {
  let source = literal(sample);
  for (const [marker, name, pattern] of groups) {
    const escaped = literal(String(marker));
    if (!source.includes(escaped)) throw new Error(`no ${name} in template ${sample}`);
    source = source.replace(escaped, `(?<${name}>${pattern})`);
  }
  return new RegExp(`^${source}${whole ? "$" : ""}`, "u");
}

/** The patterns of one language's lines. */
interface Shapes {
  readonly lang: Lang;
  readonly exact: ReadonlyMap<string, Heard>;
  readonly welcome: RegExp;
  readonly welcomeList: RegExp;
  readonly more: RegExp;
  readonly limits: RegExp;
  readonly limitsOff: RegExp;
  readonly history: RegExp;
  readonly joined: RegExp;
  readonly left: RegExp[];
  readonly removed: RegExp[];
  readonly renamed: RegExp;
  readonly who: RegExp;
  readonly privateFrom: RegExp;
  readonly privateTo: RegExp;
  readonly slowDown: RegExp;
  readonly nameTaken: RegExp;
  readonly nameTimeout: RegExp;
}

function shapesOf(lang: Lang, t: ServerText): Shapes {
  const name = mark("name");
  const other = mark("other");
  const text = mark("text");
  const list = mark("list");
  // A list is written whole up to its cap, so the samples' totals are the caps,
  // found (and made patterns) after the markers that precede them.
  const welcome = t.welcome(name, PROTOCOL.welcomeNames, [list]);
  const welcomeTotal = welcome.indexOf(String(PROTOCOL.welcomeNames), welcome.indexOf(name));
  const who = t.who(PROTOCOL.whoNames, [list]);
  // ", and K more" as this language writes it after the last name listed.
  const many = t.who(N1 + PROTOCOL.whoNames, [list]);
  const more = many.slice(many.indexOf(list) + list.length);
  return {
    lang,
    exact: new Map<string, Heard>([
      [t.greeting(), { kind: "greeting", lang, password: false }],
      [t.greetingPassword(), { kind: "greeting", lang, password: true }],
      [t.passwordAccepted(), { kind: "password-accepted" }],
      [t.wrongPassword(), { kind: "wrong-password" }],
      [t.bye(), { kind: "bye" }],
      [t.shuttingDown(), { kind: "shutdown" }],
      [t.language(), { kind: "language", lang }],
      [t.bannedHere(), { kind: "banned-here" }],
    ]),
    // Up to the total: enough to know the name, from any server that greets this way.
    welcome: shape(welcome.slice(0, welcomeTotal), [[name, "name", NAME]], false),
    welcomeList: shape(welcome, [
      [name, "name", NAME],
      [PROTOCOL.welcomeNames, "total", "\\d+"],
      [list, "list", ".*"],
    ]),
    more: new RegExp(`${literal(more).replace(String(N1), "\\d+")}$`, "u"),
    limits: shape(t.limits(N1, N2, N3), [
      [N1, "bytes", "\\d+"],
      [N2, "rate", NUMBER],
      [N3, "burst", "\\d+"],
    ]),
    limitsOff: shape(t.limits(N1, 0, 0), [[N1, "bytes", "\\d+"]]),
    history: shape(t.history(mark("time"), text), [
      [mark("time"), "time", TIME],
      [text, "line", ".*"],
    ]),
    joined: shape(t.joined(name), [[name, "name", NAME]]),
    left: [
      shape(t.left(name), [[name, "name", NAME]]),
      shape(t.left(name, text), [
        [name, "name", NAME],
        [text, "reason", ".*"],
      ]),
      shape(t.leftTooSlow(name), [[name, "name", NAME]]),
    ],
    removed: [
      shape(t.kicked(name, other), [
        [name, "name", NAME],
        [other, "by", NAME],
      ]),
      shape(t.kicked(name, other, text), [
        [name, "name", NAME],
        [other, "by", NAME],
        [text, "reason", ".*"],
      ]),
      shape(t.banned(name, other), [
        [name, "name", NAME],
        [other, "by", NAME],
      ]),
    ],
    renamed: shape(t.renamed(name, other), [
      [name, "from", NAME],
      [other, "to", NAME],
    ]),
    who: shape(who, [
      [PROTOCOL.whoNames, "total", "\\d+"],
      [list, "list", ".*"],
    ]),
    privateFrom: shape(t.privateFrom(name, text), [
      [name, "name", NAME],
      [text, "text", ".*"],
    ]),
    privateTo: shape(t.privateTo(name, text), [
      [name, "name", NAME],
      [text, "text", ".*"],
    ]),
    slowDown: shape(t.slowDown(N1), [[N1, "rate", NUMBER]]),
    nameTaken: shape(t.nameTaken(name), [[name, "name", ".*"]]),
    nameTimeout: shape(t.nameTimeout(N1), [[N1, "seconds", NUMBER]]),
  };
}

const SHAPES: readonly Shapes[] = LANGS.map((lang) => shapesOf(lang, SERVER_TEXT[lang]));

/**
 * The names of a welcome or /who list, and whether it named everyone. Any
 * language's ", and K more" counts: /who reads "online" in both.
 */
function namesOf(list: string): { names: string[]; complete: boolean } {
  const more = SHAPES.find((s) => s.more.test(list))?.more;
  const complete = more === undefined;
  const names = (more === undefined ? list : list.replace(more, ""))
    .split(", ")
    // Anything else (a wording the pattern missed) is no name: leave it out.
    .filter((item) => item !== "" && !/\s/.test(item) && checkName(item).ok);
  return { names, complete };
}

/** Recognize one (sanitized) server line; null for anything else, people's lines included. */
export function hear(line: string): Heard | null {
  const head = line.slice(0, 2);
  if (head === "* " ? line.startsWith("* <") : head !== "! " && head[0] !== "[") return null;
  for (const s of SHAPES) {
    const heard = exactly(s, line) ?? bracketed(s, line) ?? notice(s, line);
    if (heard !== null) return heard;
  }
  return null;
}

function exactly(s: Shapes, line: string): Heard | null {
  return s.exact.get(line) ?? null;
}

function bracketed(s: Shapes, line: string): Heard | null {
  if (line[0] !== "[") return null;
  let m = s.history.exec(line);
  if (m?.groups)
    return { kind: "history", time: m.groups.time as string, line: m.groups.line as string };
  // The tag is the bracketed head, "[private]" or "[private to NAME]": names hold no "]".
  const tag = line.slice(0, line.indexOf("]") + 1);
  for (const [kind, shape] of [
    ["private-from", s.privateFrom],
    ["private-to", s.privateTo],
  ] as const) {
    m = shape.exec(line);
    if (m?.groups)
      return { kind, tag, name: m.groups.name as string, text: m.groups.text as string };
  }
  return null;
}

function notice(s: Shapes, line: string): Heard | null {
  if (line[0] === "[") return null;
  let m = s.slowDown.exec(line);
  if (m?.groups) return { kind: "slow-down", rate: Number(m.groups.rate) };
  if (s.nameTimeout.test(line)) return { kind: "name-timeout" };
  if (s.nameTaken.test(line)) return { kind: "name-taken" };
  if (line[0] === "!") return null;
  m = s.welcome.exec(line);
  if (m?.groups) {
    const name = m.groups.name as string;
    const full = s.welcomeList.exec(line);
    const listed = full?.groups ? namesOf(full.groups.list as string) : null;
    return {
      kind: "welcome",
      name,
      names: listed?.names ?? [],
      complete: listed?.complete ?? false,
    };
  }
  m = s.limits.exec(line) ?? s.limitsOff.exec(line);
  if (m?.groups) return { kind: "limits", maxLineBytes: Number(m.groups.bytes) };
  m = s.joined.exec(line);
  if (m?.groups) return { kind: "joined", name: m.groups.name as string };
  for (const left of s.left) {
    m = left.exec(line);
    if (m?.groups) return { kind: "left", name: m.groups.name as string };
  }
  for (const removed of s.removed) {
    m = removed.exec(line);
    if (m?.groups)
      return { kind: "removed", name: m.groups.name as string, by: m.groups.by as string };
  }
  m = s.renamed.exec(line);
  if (m?.groups)
    return { kind: "renamed", from: m.groups.from as string, to: m.groups.to as string };
  m = s.who.exec(line);
  if (m?.groups) return { kind: "who", ...namesOf(m.groups.list as string) };
  return null;
}

const CHAT = new RegExp(`^<(${NAME})> `, "u");
const ACTION = new RegExp(`^\\* <(${NAME})> `, "u");

/** The author of a chat or action line ("<NAME> text", "* <NAME> text"), written by the server. */
export function author(line: string): string | null {
  const m = CHAT.exec(line) ?? ACTION.exec(line);
  return m ? (m[1] as string) : null;
}
