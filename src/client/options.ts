/**
 * Turns parsed command-line flags and the environment into what a client run
 * needs: where to connect, which name, which language, colour or not, and
 * which mode. Pure, so every combination is tested without spawning anything.
 */

import { CLIENT_DEFAULTS, type ClientConfig, type ClientTls, SECRET_ENV } from "../config.ts";
import { isLang, type Lang, langOfLocale, STRINGS, type Strings } from "./strings.ts";
import { historyPath } from "./tty/inputhistory.ts";
import { colorEnabled } from "./tty/render.ts";

/** The flags as util.parseArgs returns them (see src/cli/run-client.ts). */
export interface Flags {
  host?: string;
  port?: string;
  name?: string;
  lang?: string;
  "password-env"?: string;
  "no-color"?: boolean;
  "no-bell"?: boolean;
  tls?: boolean;
  ca?: string;
  insecure?: boolean;
  help?: boolean;
}

/** Facts about the process the options depend on. */
export interface Surroundings {
  env: Readonly<Record<string, string | undefined>>;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  /** process.platform; decides where the input history lives. */
  platform?: string;
  /** The home directory, for the input history. */
  home?: string;
  /** Reads the --ca file as text; throws (with a code) when it cannot. */
  readFile?: (path: string) => string;
}

export interface ClientOptions {
  config: ClientConfig;
  /** Name from --name; absent means ask (terminal) or read the first line (piped). */
  name: string | undefined;
  /**
   * The language the client speaks, and its words: the person's choice, or
   * until they choose the room's (speak() changes both as the room tells).
   */
  lang: Lang;
  strings: Strings;
  /** The person chose the language (--lang, a locale naming one, /lang): the room follows it. */
  langChosen: boolean;
  color: boolean;
  /** Ring the terminal bell for mentions and private messages. */
  bell: boolean;
  /** The room's password, from the environment; absent means ask (terminal) or fail (piped). */
  password: string | undefined;
  /** The variable the password is read from, to name it when it is missing. */
  passwordEnv: string;
  /** Where the input history is kept; null: not kept. */
  historyFile: string | null;
  /** Terminal mode (prompt, history, colours) rather than piped mode. */
  interactive: boolean;
}

export type Resolved =
  | { kind: "run"; options: ClientOptions }
  | { kind: "help"; text: string }
  | { kind: "error"; message: string };

/** Decide what to do; a bad value gives one sentence in the chosen language. */
export function resolveOptions(flags: Flags, around: Surroundings): Resolved {
  // The language comes first so that every other complaint can use it.
  const envLang = langOfLocale(around.env);
  if (flags.lang !== undefined && !isLang(flags.lang)) {
    return { kind: "error", message: STRINGS[envLang ?? "en"].badLang(flags.lang) };
  }
  const lang = flags.lang ?? envLang ?? "en";
  const strings = STRINGS[lang];
  if (flags.help) return { kind: "help", text: strings.usage };

  const address = resolveAddress(flags, strings);
  if ("message" in address) return { kind: "error", message: address.message };
  const passwordEnv = flags["password-env"] ?? SECRET_ENV.roomPassword;
  const password = around.env[passwordEnv];
  if (flags["password-env"] !== undefined && password === undefined) {
    return { kind: "error", message: strings.passwordEnvUnset(passwordEnv) };
  }
  const tls = resolveTls(flags, around, strings);
  if (tls !== null && "message" in tls) return { kind: "error", message: tls.message };
  const name = flags.name === undefined || flags.name.trim() === "" ? undefined : flags.name;
  const color = colorEnabled({
    noColorFlag: flags["no-color"] === true,
    env: around.env,
    stdoutIsTTY: around.stdoutIsTTY,
  });
  return {
    kind: "run",
    options: {
      config: { ...CLIENT_DEFAULTS, host: address.host, port: address.port, tls },
      name,
      lang,
      strings,
      langChosen: flags.lang !== undefined || envLang !== null,
      color,
      bell: flags["no-bell"] !== true,
      password: password === "" ? undefined : password,
      passwordEnv,
      historyFile: historyPath(around.env, around.platform ?? "linux", around.home),
      interactive: around.stdinIsTTY,
    },
  };
}

/**
 * The room speaks `lang` to us (its greeting, or the answer to /lang):
 * the client's own words follow it, unless the person chose another
 * language, which the session asks the room for. `chosen`: the person asked
 * for it (/lang), so later connections ask for it too.
 */
export function speak(options: ClientOptions, lang: string | null, chosen: boolean): void {
  if (lang === null || !isLang(lang)) return;
  if (options.langChosen && !chosen) return;
  options.lang = lang;
  options.strings = STRINGS[lang];
  if (chosen) options.langChosen = true;
}

/** The language to ask the room for on connecting: the person's, if they chose one. */
export function askedLang(options: ClientOptions): Lang | null {
  return options.langChosen ? options.lang : null;
}

/** --tls, --ca FILE and --insecure: either of the last two implies the first. */
function resolveTls(
  flags: Flags,
  around: Surroundings,
  s: Strings,
): ClientTls | { message: string } {
  const insecure = flags.insecure === true;
  if (flags.ca === undefined) return flags.tls === true || insecure ? { ca: null, insecure } : null;
  if (flags.ca === "") return { message: s.caUnreadable(flags.ca, "ENOENT") };
  try {
    const ca = (around.readFile ?? unreadable)(flags.ca);
    return { ca, insecure };
  } catch (error) {
    return { message: s.caUnreadable(flags.ca, (error as { code?: string }).code ?? "") };
  }
}

function unreadable(): never {
  throw Object.assign(new Error("no file reader"), { code: "ENOENT" });
}

/** --host (which may carry a port) and --port, agreed on. */
function resolveAddress(
  flags: Flags,
  s: Strings,
): { host: string; port: number } | { message: string } {
  let port: number | undefined;
  if (flags.port !== undefined) {
    const parsed = parsePort(flags.port);
    if (parsed === null) return { message: s.badPort(flags.port) };
    port = parsed;
  }
  if (flags.host === undefined || flags.host === "") {
    return { host: CLIENT_DEFAULTS.host, port: port ?? CLIENT_DEFAULTS.port };
  }
  const split = splitHost(flags.host);
  if (split === null) return { message: s.badHost(flags.host) };
  if (split.port === undefined) return { host: split.host, port: port ?? CLIENT_DEFAULTS.port };
  const own = parsePort(split.port);
  if (own === null) return { message: s.badPort(split.port) };
  if (port !== undefined && port !== own) {
    return { message: s.portConflict(flags.host, port) };
  }
  return { host: split.host, port: own };
}

/**
 * "host", "host:port", "[v6]" or "[v6]:port" into its parts; a bare IPv6
 * address ("::1", more than one colon) is all host. Null when it cannot be read.
 */
export function splitHost(text: string): { host: string; port?: string } | null {
  if (text.startsWith("[")) {
    const m = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
    if (!m) return null;
    return m[2] === undefined ? { host: m[1] as string } : { host: m[1] as string, port: m[2] };
  }
  const colon = text.indexOf(":");
  if (colon === -1) return { host: text };
  if (text.indexOf(":", colon + 1) !== -1) return { host: text };
  if (colon === 0) return null;
  return { host: text.slice(0, colon), port: text.slice(colon + 1) };
}

/** A TCP port from 1 to 65535, written as plain digits; null otherwise. */
export function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}
