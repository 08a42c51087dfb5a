/** The languages papo speaks, for the server's lines and the client's own words alike. Pure. */

export type Lang = "en" | "pt";

export const LANGS: readonly Lang[] = ["en", "pt"];

/** True for the language codes papo has a table for. */
export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

/**
 * The language the locale names (LC_ALL, then LC_MESSAGES, then LANG, as
 * POSIX orders them): "pt_BR.UTF-8" names pt, "en_US.UTF-8" en; "C.UTF-8",
 * "POSIX" or nothing (as on Windows) name none, and neither does a language
 * papo has no table for.
 */
export function langOfLocale(env: Readonly<Record<string, string | undefined>>): Lang | null {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  const named = locale.toLowerCase().split(/[_.@-]/)[0] ?? "";
  return isLang(named) ? named : null;
}

/** The language to speak when none is given: the locale's, else English. */
export function langFromEnv(env: Readonly<Record<string, string | undefined>>): Lang {
  return langOfLocale(env) ?? "en";
}
