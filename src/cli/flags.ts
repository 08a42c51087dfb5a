/**
 * Turns `--flag value` strings from util.parseArgs into typed config fields,
 * with one clear sentence when a value is wrong, and prints --help from the
 * same table so the two cannot drift apart.
 */

import type { Lang } from "../protocol/lang.ts";

export type FlagType = "string" | "int" | "number" | "seconds" | "choice";

export interface Flag<K> {
  type: FlagType;
  help: string;
  /** One-letter alias, the same letter the client uses for the same thing ("p" for port). */
  short?: string;
  /** The config field the flag sets; "seconds" flags set a milliseconds field. */
  key: K;
  min?: number;
  max?: number;
  /** The values a "choice" flag accepts. */
  choices?: readonly string[];
}

export type FlagSpec<C> = Record<string, Flag<keyof C>>;

/** A flag value that cannot be used; its message is meant for the user as is. */
export class FlagError extends Error {
  readonly code = "EFLAG";
}

/** True for the errors util.parseArgs throws on unknown or malformed flags. */
export function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

/**
 * What went wrong, in a few words, for an error util.parseArgs threw:
 * "Option '-p, --port <value>' argument missing" becomes "--port needs a
 * value". Callers add where to turn next ("try --help").
 */
export function argsProblem(error: Error): string {
  const code = (error as { code?: unknown }).code;
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? "";
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      // Bun names the x of "-qx" without its dash.
      return `unknown option '${quoted.startsWith("-") ? quoted : `-${quoted}`}'`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return error.message.includes("does not take")
        ? `${option} takes no value`
        : `${option} needs a value`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument '${quoted}'`;
    default:
      return error.message;
  }
}

/** The util.parseArgs options for `spec`: every flag takes a string value. */
export function argsOptions<C>(
  spec: FlagSpec<C>,
): Record<string, { type: "string"; short?: string }> {
  return Object.fromEntries(
    Object.entries(spec).map(([name, flag]) => [
      name,
      flag.short === undefined ? { type: "string" } : { type: "string", short: flag.short },
    ]),
  );
}

/** Apply the flags that were given on top of `defaults`. */
export function parseFlags<C>(
  spec: FlagSpec<C>,
  values: Record<string, string | undefined>,
  defaults: Readonly<C>,
): C {
  const out = { ...defaults } as Record<keyof C, unknown>;
  for (const [name, flag] of Object.entries(spec)) {
    const raw = values[name];
    if (raw === undefined) continue;
    out[flag.key] = convert(name, flag, raw);
  }
  return out as C;
}

function convert<K>(name: string, flag: Flag<K>, raw: string): string | number {
  if (flag.type === "string") {
    if (raw.length === 0) throw new FlagError(`--${name} needs a value`);
    return raw;
  }
  if (flag.type === "choice") {
    const choices = flag.choices ?? [];
    if (!choices.includes(raw)) {
      throw new FlagError(`--${name} must be one of ${choices.join(", ")}, got "${raw}"`);
    }
    return raw;
  }
  const min = flag.min ?? 0;
  const wantsInt = flag.type === "int";
  const value = parseDecimal(raw, wantsInt);
  if (value === null) {
    throw new FlagError(
      `--${name} must be ${wantsInt ? "a whole number" : "a number"}, got "${raw}"`,
    );
  }
  if (value < min || (flag.max !== undefined && value > flag.max)) {
    const range = flag.max === undefined ? `at least ${min}` : `between ${min} and ${flag.max}`;
    throw new FlagError(`--${name} must be ${range}, got ${raw}`);
  }
  return flag.type === "seconds" ? Math.round(value * 1000) : value;
}

/**
 * A number written plainly in decimal ("10", "-1", and "0.5" unless
 * `integer`); null for anything else. Stricter than Number(), which takes
 * "0x10", " 1e3 " and "" as 16, 1000 and 0.
 */
export function parseDecimal(raw: string, integer: boolean): number | null {
  const plain = integer ? /^-?\d+$/ : /^-?\d+(\.\d+)?$/;
  if (!plain.test(raw)) return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

/** The words of a help text around the flags' own, by language. */
const USAGE_WORDS = {
  en: { usage: "usage", options: "options", default: "default", none: "none", value: "VALUE" },
  pt: { usage: "uso", options: "opções", default: "padrão", none: "nenhum", value: "VALOR" },
} as const;

/**
 * Help text: usage line, then one line per flag with its default, written
 * as the client's help writes them ("--port, -p N"). Flag help says its own
 * asides after a ";", so that the one pair of parentheses is the default.
 * `helps` words a flag's help in `lang` (by flag name); a flag it misses
 * keeps its English help.
 */
export function usage<C>(
  synopsis: string,
  title: string,
  spec: FlagSpec<C>,
  defaults: Readonly<C>,
  extra: ReadonlyArray<[string, string]> = [],
  lang: Lang = "en",
  helps: Readonly<Record<string, string>> = {},
): string {
  const w = USAGE_WORDS[lang];
  const rows: Array<[string, string]> = Object.entries(spec).map(([name, flag]) => {
    const value = defaults[flag.key];
    const shown = flag.type === "seconds" ? Number(value) / 1000 : value;
    const short = flag.short === undefined ? "" : `, -${flag.short}`;
    const metavar =
      flag.type === "choice"
        ? (flag.choices ?? []).join("|")
        : flag.type === "string"
          ? w.value
          : "N";
    const help = helps[name] ?? flag.help;
    return [
      `--${name}${short} ${metavar}`,
      `${help} (${w.default} ${shown === "" ? w.none : shown})`,
    ];
  });
  rows.push(...extra);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
  return `${title}\n\n${w.usage}: ${synopsis}\n\n${w.options}:\n${lines.join("\n")}\n`;
}
