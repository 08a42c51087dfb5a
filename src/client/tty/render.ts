/**
 * How a server line looks on a terminal: timestamp, a stable colour per name,
 * dim notices, red errors, highlighted private messages and mentions, your
 * own name in bold, replayed history dim with the day and time it was said. Pure:
 * text and a time in, text out, so it is tested without a terminal; tty.ts
 * does the writing.
 *
 * Whatever a user sends keeps its "<NAME>" on screen, with or without colour:
 * that is what tells "* <server> shutting down" (someone's /me) from the
 * server's own "* server shutting down".
 */

import type { Lang } from "../../protocol/lang.ts";
import { nameKey } from "../../protocol/names.ts";
import { sanitize } from "../../protocol/sanitize.ts";
import { attention, blockAttention, mentionPattern } from "../core/attention.ts";
import type { ServerLine } from "../core/meaning.ts";
import { classify, type Shown } from "../core/shown.ts";

export { classify, type Shown } from "../core/shown.ts";

/**
 * Colours for names: readable on dark and light backgrounds, and never red,
 * which means an error. Bright blue replaces plain blue, too dark on black.
 */
export const NAME_COLORS: readonly number[] = [32, 33, 35, 36, 92, 93, 94, 95, 96];

const SGR = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  red: "\x1b[31m",
  privateTag: "\x1b[1;7;35m",
  /** Your name where someone mentions it: bold and reversed, like irssi's hilight. */
  mention: "\x1b[1;7m",
} as const;

/**
 * The colour of a name: FNV-1a of its case-folded form, so it is the same in
 * every session and for "Ana" and "ana" (one person, as far as the server goes).
 */
export function nameColor(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(nameKey(name))) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return NAME_COLORS[hash % NAME_COLORS.length] as number;
}

/** "HH:MM" in local time. */
export function formatTime(time: Date): string {
  const hh = String(time.getHours()).padStart(2, "0");
  const mm = String(time.getMinutes()).padStart(2, "0");
  return `${hh}:${mm}`;
}

const MONTHS: Readonly<Record<Lang, readonly string[]>> = {
  en: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
  pt: ["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"],
};

/** The day and "HH:MM" in local time, as each language writes it: "Dec 6 11:50", "6 dez 11:50". */
export function formatDay(time: Date, lang: Lang = "en"): string {
  const month = MONTHS[lang][time.getMonth()] as string;
  const day = lang === "pt" ? `${time.getDate()} ${month}` : `${month} ${time.getDate()}`;
  return `${day} ${formatTime(time)}`;
}

/** "HH:MM" for a moment of `today`, the day too for one of another day. */
export function stampOf(time: Date, today: Date, lang?: Lang): string {
  return time.toDateString() === today.toDateString() ? formatTime(time) : formatDay(time, lang);
}

export interface RenderOptions {
  /** Emit ANSI colours. */
  color: boolean;
  /** Now: when a line without a time of its own arrived; shown as HH:MM. */
  time: Date;
  /** Your own name: shown in bold, and highlighted where others mention it. */
  self?: string;
  /** The language of days and months (history lines); English by default. */
  lang?: Lang;
}

/**
 * One line as it should appear on the terminal (no trailing newline): a
 * server line, or the client's own echo of what the person typed. Sanitizes
 * again even though the session already did: nothing the server sends may
 * reach the terminal as a control sequence.
 *
 * A room line carries the time it was said (a line replayed after a
 * reconnect shows when it was said, not when it came). A line from the
 * room's history carries its day too. With colour it is dim; without, it
 * keeps the server's own "[history …]" marker, with the day put in, since
 * nothing else would tell it from a live line.
 */
export function renderLine(line: ServerLine | string, options: RenderOptions): string {
  const shown = classify(typeof line === "string" ? sanitize(line) : line);
  if (shown.kind === "history") return renderHistory(shown, options);
  const said = typeof line === "string" ? null : line.time;
  const stamp =
    said === null ? formatTime(options.time) : stampOf(said, options.time, options.lang);
  if (!options.color) return `${stamp} ${shown.line}`;
  return `${SGR.dim}${stamp}${SGR.reset} ${colored(shown, options.self ?? "")}`;
}

function renderHistory(shown: Extract<Shown, { kind: "history" }>, options: RenderOptions): string {
  const said = sanitize(shown.said.line);
  if (shown.time === null)
    return options.color ? `${SGR.dim}${sanitize(shown.line)}${SGR.reset}` : sanitize(shown.line);
  const day = formatDay(shown.time, options.lang);
  if (options.color) return `${SGR.dim}${day} ${said}${SGR.reset}`;
  // "[history 11:50]" becomes "[history Dec 6 11:50]": the server's word, our day.
  const space = shown.head.indexOf(" ");
  const word = space < 0 ? "" : shown.head.slice(1, space);
  return word === "" ? `${day} ${said}` : `[${sanitize(word)} ${day}] ${said}`;
}

function paintName(name: string, self: string): string {
  const own = self !== "" && nameKey(name) === nameKey(self);
  return `${own ? SGR.bold : ""}\x1b[${nameColor(name)}m${name}${SGR.reset}`;
}

/** The text of a line that mentions `self`: bold, the mentions reversed. */
function highlighted(text: string, self: string): string {
  return `${SGR.bold}${marked(text, self, SGR.bold)}${SGR.reset}`;
}

/** Each mention of `self` in `text` reversed, then `after` (the text's own style) again. */
function marked(text: string, self: string, after = ""): string {
  return text
    .normalize("NFC")
    .replace(mentionPattern(self), (name) => `${SGR.mention}${name}${SGR.reset}${after}`);
}

function colored(shown: Shown, self: string): string {
  const text = (said: string) =>
    attention(shown, self) === "mention" ? highlighted(said, self) : said;
  switch (shown.kind) {
    case "chat":
      return `<${shown.op ? "@" : ""}${paintName(shown.name, self)}> ${text(shown.text)}`;
    case "action":
      // Not dim: a person's words, not the server's.
      return `* <${shown.op ? "@" : ""}${paintName(shown.name, self)}> ${text(shown.text)}`;
    case "notice":
      return `${SGR.dim}${shown.line}${SGR.reset}`;
    case "error":
      return `${SGR.red}${shown.line}${SGR.reset}`;
    case "private-from":
      return `${SGR.privateTag}${shown.tag}${SGR.reset} <${paintName(shown.name, self)}> ${SGR.bold}${shown.text}${SGR.reset}`;
    case "private-to":
      return `${SGR.privateTag}${shown.tag}${SGR.reset} ${SGR.bold}${shown.text}${SGR.reset}`;
    case "history":
    case "plain":
      return shown.line;
  }
}

/** Before each line of a block: it sets the block apart from the chat around it. */
const GUTTER = "│ ";
/** Where a block's tabs stop, in its own columns (the gutter would shift the terminal's). */
const TAB_STOP = 8;

export interface BlockOptions extends RenderOptions {
  /** When it was said (null: now). */
  said?: Date | null;
  /** A block from the room's history: its day too, dim. */
  history?: boolean;
  /** Said by an operator. */
  op?: boolean;
}

/**
 * A block (protocol/block.ts) as it appears on the terminal: a head with the
 * time and who said it, then each of its lines after a gutter, with its
 * indentation and blank lines as they were (no trailing newline).
 */
export function renderBlock(name: string, lines: readonly string[], options: BlockOptions): string {
  const said = options.said ?? null;
  const stamp =
    said === null
      ? formatTime(options.time)
      : options.history === true
        ? formatDay(said, options.lang)
        : stampOf(said, options.time, options.lang);
  const who = sanitize(name);
  const at = options.op === true ? "@" : "";
  const self = options.self ?? "";
  const head = options.color
    ? `${SGR.dim}${stamp}${SGR.reset} <${at}${paintName(who, self)}>`
    : `${stamp} <${at}${who}>`;
  const mention =
    options.color && blockAttention(who, lines, self, options.history === true) === "mention";
  const body = lines.map((line) => {
    // Tabs first: the marks around a mention take no column.
    const text = expandTabs(sanitize(line));
    const shown = mention ? marked(text, self) : text;
    return options.color ? `${SGR.dim}${GUTTER}${SGR.reset}${shown}` : `${GUTTER}${text}`;
  });
  return [head, ...body].join("\n");
}

/** Tabs as spaces up to the next tab stop, counted from the line's own start. */
function expandTabs(line: string): string {
  if (!line.includes("\t")) return line;
  let out = "";
  for (const c of line) out += c === "\t" ? " ".repeat(TAB_STOP - (out.length % TAB_STOP)) : c;
  return out;
}

/** A line the client itself shows (help for keys): dim, like a notice. */
export function renderLocal(text: string, color: boolean): string {
  return color ? `${SGR.dim}${text}${SGR.reset}` : text;
}

/** The input prompt once a name is accepted. */
export function promptFor(name: string): string {
  return `${name}> `;
}

/**
 * Whether to colour: not with --no-color, not when NO_COLOR is set to
 * anything (no-color.org), not on a dumb terminal, not when stdout is no terminal.
 */
export function colorEnabled(opts: {
  noColorFlag: boolean;
  env: Readonly<Record<string, string | undefined>>;
  stdoutIsTTY: boolean;
}): boolean {
  if (opts.noColorFlag || !opts.stdoutIsTTY) return false;
  if (opts.env.NO_COLOR !== undefined && opts.env.NO_COLOR !== "") return false;
  return opts.env.TERM !== "dumb";
}

/**
 * Terminal codes that take the cursor from `rows` rows below the start of the
 * input line to that start, and erase from there down: the input area is then
 * free for a line of output, after which readline redraws prompt and text.
 */
export function clearInputArea(rows: number): string {
  return rows > 0 ? `\r\x1b[${rows}A\x1b[J` : "\r\x1b[J";
}

/** An "/op PASSWORD" line: what follows "/op " is never shown. */
const OP_LINE = /^\/op\s/i;

/**
 * An "/op PASSWORD" line as it is drawn while typed: the password as "*", one
 * per column it takes, so that the cursor stays where readline counts it. Null
 * for any other line.
 */
export function maskTyped(line: string): string | null {
  if (!OP_LINE.test(line)) return null;
  return `${line.slice(0, 4)}${"*".repeat(Bun.stringWidth(line.slice(4)))}`;
}

/** A line as it stays on screen once entered: an "/op" line without even its password's length. */
export function maskEntered(line: string): string {
  return OP_LINE.test(line) ? `${line.slice(0, 4)}******` : line;
}
