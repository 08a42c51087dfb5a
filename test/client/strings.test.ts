import { describe, expect, test } from "bun:test";
import {
  isLang,
  LANGS,
  langFromEnv,
  langOfLocale,
  STRINGS,
  type Strings,
} from "../../src/client/strings.ts";

/** Every entry of a table, functions called with sample arguments, as text. */
function render(s: Strings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(s)) {
    if (typeof value === "function") out[key] = String(value("ARG1", "ARG2"));
    else if (Array.isArray(value)) out[key] = value.join("\n");
    else out[key] = String(value);
  }
  return out;
}

describe("the strings table", () => {
  test("every language has every entry", () => {
    const keys = Object.keys(STRINGS.en).sort();
    for (const lang of LANGS) expect(Object.keys(STRINGS[lang]).sort()).toEqual(keys);
  });

  test("no entry is empty, and functions use their arguments", () => {
    for (const lang of LANGS) {
      const s = STRINGS[lang];
      for (const [key, text] of Object.entries(render(s))) {
        expect(text.trim().length, `${lang}.${key}`).toBeGreaterThan(0);
        const value = s[key as keyof Strings];
        if (typeof value === "function" && value.length > 0) {
          expect(text, `${lang}.${key}`).toContain("ARG1");
        }
      }
    }
  });

  test("Portuguese is a translation, not a copy", () => {
    const en = render(STRINGS.en);
    const pt = render(STRINGS.pt);
    const same = Object.keys(en).filter(
      (k) => en[k] === pt[k] && k !== "causeOther" && k !== "certProblem",
    );
    expect(same).toEqual([]);
  });

  test("the issue's exact English sentences", () => {
    expect(STRINGS.en.connectionLost).toBe("Connection to server lost.");
    expect(STRINGS.en.usernamePrompt).toBe("Username: ");
    expect(STRINGS.en.cannotConnect("127.0.0.1:1", STRINGS.en.causeRefused)).toBe(
      "Cannot connect to 127.0.0.1:1: connection refused (is the server running?).",
    );
  });

  test("help mentions every flag in both languages", () => {
    for (const lang of LANGS) {
      for (const flag of [
        "--host",
        "--port",
        "--name",
        "--lang",
        "--password-env",
        "--no-color",
        "--no-bell",
        "--help",
      ]) {
        expect(STRINGS[lang].usage).toContain(flag);
      }
    }
  });

  test("the keys help mentions every key the client gives a meaning", () => {
    for (const lang of LANGS) {
      for (const key of ["Tab", "Ctrl-U", "Ctrl-C", "Ctrl-D", "Ctrl-Z"]) {
        expect(STRINGS[lang].keysHelp.join("\n")).toContain(key);
      }
    }
  });

  test("help and keys fit an 80-column terminal", () => {
    for (const lang of LANGS) {
      for (const line of [...STRINGS[lang].usage.split("\n"), ...STRINGS[lang].keysHelp]) {
        expect(Bun.stringWidth(line), line).toBeLessThanOrEqual(80);
      }
    }
  });
});

describe("choosing a language", () => {
  test("English unless the locale is Portuguese", () => {
    expect(langFromEnv({})).toBe("en");
    expect(langFromEnv({ LANG: "en_US.UTF-8" })).toBe("en");
    expect(langFromEnv({ LANG: "C.UTF-8" })).toBe("en");
    expect(langFromEnv({ LANG: "pt_BR.UTF-8" })).toBe("pt");
    expect(langFromEnv({ LANG: "pt" })).toBe("pt");
    expect(langFromEnv({ LANG: "PT_pt" })).toBe("pt");
  });

  test("a locale names a language, or none: C, POSIX, C.UTF-8, unset, or one papo has no table for", () => {
    expect(langOfLocale({ LANG: "pt_BR.UTF-8" })).toBe("pt");
    expect(langOfLocale({ LANG: "en_GB" })).toBe("en");
    expect(langOfLocale({ LANG: "pt@euro" })).toBe("pt");
    for (const LANG of ["C.UTF-8", "C", "POSIX", "", undefined, "fr_FR.UTF-8", "english"]) {
      expect(langOfLocale({ LANG })).toBeNull();
    }
    expect(langOfLocale({ LC_ALL: "C.UTF-8", LANG: "pt_BR.UTF-8" })).toBeNull();
  });

  test("LC_ALL wins over LANG, LC_MESSAGES in between", () => {
    expect(langFromEnv({ LC_ALL: "pt_BR.UTF-8", LANG: "en_US.UTF-8" })).toBe("pt");
    expect(langFromEnv({ LC_ALL: "en_US.UTF-8", LANG: "pt_BR.UTF-8" })).toBe("en");
    expect(langFromEnv({ LC_MESSAGES: "pt_BR", LANG: "en_US" })).toBe("pt");
    expect(langFromEnv({ LC_ALL: "", LANG: "pt_BR" })).toBe("pt");
  });

  test("isLang knows the tables", () => {
    expect(isLang("en")).toBe(true);
    expect(isLang("pt")).toBe(true);
    expect(isLang("fr")).toBe(false);
    expect(isLang("")).toBe(false);
  });
});
