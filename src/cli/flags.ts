/**
 * Turns `--flag value` strings from util.parseArgs into typed config fields,
 * with one clear sentence when a value is wrong, and prints --help from the
 * same table so the two cannot drift apart.
 */

export type FlagType = "string" | "int" | "number" | "seconds" | "choice";

export interface Flag<K> {
  type: FlagType;
  help: string;
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

/** Help text: usage line, then one line per flag with its default. */
export function usage<C>(
  synopsis: string,
  title: string,
  spec: FlagSpec<C>,
  defaults: Readonly<C>,
  extra: ReadonlyArray<[string, string]> = [],
): string {
  const rows: Array<[string, string]> = Object.entries(spec).map(([name, flag]) => {
    const value = defaults[flag.key];
    const shown = flag.type === "seconds" ? Number(value) / 1000 : value;
    const metavar =
      flag.type === "choice" ? (flag.choices ?? []).join("|") : flag.type === "string" ? "VALUE" : "N";
    return [`--${name} ${metavar}`, `${flag.help} (default ${shown === "" ? "none" : shown})`];
  });
  rows.push(...extra);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
  return `${title}\n\nusage: ${synopsis}\n\noptions:\n${lines.join("\n")}\n`;
}
