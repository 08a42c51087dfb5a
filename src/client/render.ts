/**
 * How a server line looks on a terminal: timestamp, a stable colour per name,
 * dim notices, red errors, highlighted private messages. Pure: text and a time
 * in, text out, so it is tested without a terminal; tty.ts does the writing.
 *
 * Whatever a user sends keeps its "<NAME>" on screen, with or without colour:
 * that is what tells "* <server> shutting down" (someone's /me) from the
 * server's own "* server shutting down".
 */

import { nameKey } from "../protocol/names.ts";
import { sanitize } from "../protocol/sanitize.ts";

/** What a server line is, as far as display goes. */
export type Shown =
  | { kind: "chat"; name: string; text: string }
  | { kind: "action"; name: string; text: string }
  | { kind: "notice"; text: string }
  | { kind: "error"; text: string }
  | { kind: "private-from"; name: string; text: string }
  | { kind: "private-to"; name: string; text: string }
  | { kind: "plain"; text: string };

// Names never hold spaces or ">" (protocol/names.ts), so these cannot be fooled
// by message text that looks like a prefix.
const CHAT = /^<([^\s>]+)> (.*)$/;
const ACTION = /^\* <([^\s>]+)> (.*)$/;
const PRIVATE_FROM = /^\[private\] <([^\s>]+)> (.*)$/;
const PRIVATE_TO = /^\[private to ([^\s\]]+)\] (.*)$/;

/** Sort a (sanitized) server line into what it is. */
export function classify(line: string): Shown {
  let m = ACTION.exec(line);
  if (m) return { kind: "action", name: m[1] as string, text: m[2] as string };
  if (line.startsWith("* ")) return { kind: "notice", text: line };
  if (line.startsWith("! ")) return { kind: "error", text: line };
  m = CHAT.exec(line);
  if (m) return { kind: "chat", name: m[1] as string, text: m[2] as string };
  m = PRIVATE_FROM.exec(line);
  if (m) return { kind: "private-from", name: m[1] as string, text: m[2] as string };
  m = PRIVATE_TO.exec(line);
  if (m) return { kind: "private-to", name: m[1] as string, text: m[2] as string };
  return { kind: "plain", text: line };
}

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

export interface RenderOptions {
  /** Emit ANSI colours. */
  color: boolean;
  /** When the line arrived; shown as HH:MM. */
  time: Date;
}

/**
 * One server line as it should appear on the terminal (no trailing newline).
 * Sanitizes again even though the session already did: nothing the server
 * sends may reach the terminal as a control sequence.
 */
export function renderLine(line: string, options: RenderOptions): string {
  const shown = classify(sanitize(line));
  const stamp = formatTime(options.time);
  if (!options.color) return `${stamp} ${plainText(shown)}`;
  return `${SGR.dim}${stamp}${SGR.reset} ${colored(shown)}`;
}

function plainText(shown: Shown): string {
  switch (shown.kind) {
    case "chat":
      return `<${shown.name}> ${shown.text}`;
    case "action":
      return `* <${shown.name}> ${shown.text}`;
    case "private-from":
      return `[private] <${shown.name}> ${shown.text}`;
    case "private-to":
      return `[private to ${shown.name}] ${shown.text}`;
    default:
      return shown.text;
  }
}

function paintName(name: string): string {
  return `\x1b[${nameColor(name)}m${name}${SGR.reset}`;
}

function colored(shown: Shown): string {
  switch (shown.kind) {
    case "chat":
      return `<${paintName(shown.name)}> ${shown.text}`;
    case "action":
      // Not dim: a person's words, not the server's.
      return `* <${paintName(shown.name)}> ${shown.text}`;
    case "notice":
      return `${SGR.dim}${shown.text}${SGR.reset}`;
    case "error":
      return `${SGR.red}${shown.text}${SGR.reset}`;
    case "private-from":
      return `${SGR.privateTag}[private]${SGR.reset} <${paintName(shown.name)}> ${SGR.bold}${shown.text}${SGR.reset}`;
    case "private-to":
      return `${SGR.privateTag}[private to ${shown.name}]${SGR.reset} ${SGR.bold}${shown.text}${SGR.reset}`;
    case "plain":
      return shown.text;
  }
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
