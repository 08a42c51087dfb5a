/**
 * Turns parsed command-line flags and the environment into what a client run
 * needs: where to connect, which name, which language, colour or not, and
 * which mode. Pure, so every combination is tested without spawning anything.
 */

import { CLIENT_DEFAULTS, type ClientConfig } from "../config.ts";
import { colorEnabled } from "./render.ts";
import { isLang, type Lang, langFromEnv, STRINGS, type Strings } from "./strings.ts";

/** The flags as util.parseArgs returns them (see src/cli/client.ts). */
export interface Flags {
  host?: string;
  port?: string;
  name?: string;
  lang?: string;
  "no-color"?: boolean;
  help?: boolean;
}

/** Facts about the process the options depend on. */
export interface Surroundings {
  env: Readonly<Record<string, string | undefined>>;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
}

export interface ClientOptions {
  config: ClientConfig;
  /** Name from --name; absent means ask (terminal) or read the first line (piped). */
  name: string | undefined;
  lang: Lang;
  strings: Strings;
  color: boolean;
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
  const envLang = langFromEnv(around.env);
  if (flags.lang !== undefined && !isLang(flags.lang)) {
    return { kind: "error", message: STRINGS[envLang].badLang(flags.lang) };
  }
  const lang = flags.lang ?? envLang;
  const strings = STRINGS[lang];
  if (flags.help) return { kind: "help", text: strings.usage };

  let port = CLIENT_DEFAULTS.port;
  if (flags.port !== undefined) {
    const parsed = parsePort(flags.port);
    if (parsed === null) return { kind: "error", message: strings.badPort(flags.port) };
    port = parsed;
  }
  const host = flags.host === undefined || flags.host === "" ? CLIENT_DEFAULTS.host : flags.host;
  const name = flags.name === undefined || flags.name.trim() === "" ? undefined : flags.name;
  const color = colorEnabled({
    noColorFlag: flags["no-color"] === true,
    env: around.env,
    stdoutIsTTY: around.stdoutIsTTY,
  });
  return {
    kind: "run",
    options: {
      config: { ...CLIENT_DEFAULTS, host, port },
      name,
      lang,
      strings,
      color,
      interactive: around.stdinIsTTY,
    },
  };
}

/** A TCP port from 1 to 65535, written as plain digits; null otherwise. */
export function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}
