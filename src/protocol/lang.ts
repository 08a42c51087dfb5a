/** The languages papo speaks, for the server's lines and the client's own words alike. Pure. */

export type Lang = "en" | "pt";

export const LANGS: readonly Lang[] = ["en", "pt"];

/** True for the language codes papo has a table for. */
export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

/**
 * The language to speak when none is given: Portuguese when the locale
 * (LC_ALL, then LC_MESSAGES, then LANG, as POSIX orders them) starts with "pt".
 */
export function langFromEnv(env: Readonly<Record<string, string | undefined>>): Lang {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return locale.toLowerCase().startsWith("pt") ? "pt" : "en";
}
