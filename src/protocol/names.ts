/**
 * Name rules: 1 to 24 Unicode letters, digits, "_", "-" or ".", at least one
 * of them a letter or digit, compared case-insensitively and by how they
 * look. Pure; the room decides whether a valid name is free, and messages.ts
 * says why one is not valid in each language.
 */

import { CONFUSABLES } from "./confusables.ts";
import { PROTOCOL } from "./limits.ts";
import { sanitize } from "./sanitize.ts";

const NAME_CHARS = /^[\p{L}\p{M}\p{Nd}_.-]+$/u;
const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;
/** Marks and fillers that draw nothing (U+034F, variation selectors, Hangul fillers...). */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

/**
 * Accents on Latin, Greek and Cyrillic letters: a name's key leaves them out,
 * so "João" and "Joao" are one name (people type names with and without
 * them, and "Joao" must not pass for "João"). Marks that make letters of
 * other scripts are kept.
 */
const ACCENTS = /(?<=[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]\p{M}*)\p{M}/gu;

/** Character -> prototype, decoded once from the generated table. */
const PROTOTYPES: ReadonlyMap<string, string> = decodeConfusables(CONFUSABLES);

export type NameProblem = "empty" | "too-long" | "bad-chars" | "no-letter";

export type NameCheck = { ok: true; name: string } | { ok: false; problem: NameProblem };

/** Validate a requested name; returns it cleaned (trimmed, NFC) or why it is refused. */
export function checkName(raw: string): NameCheck {
  const name = sanitize(raw).trim().normalize("NFC");
  if (name.length === 0) return { ok: false, problem: "empty" };
  // Count code points, not UTF-16 units, so "名前" is 2 characters.
  let length = 0;
  for (const _ of name) length++;
  if (length > PROTOCOL.maxNameLength) return { ok: false, problem: "too-long" };
  // An invisible character would let "ana" and "ana\u034f" look like one name.
  if (!NAME_CHARS.test(name) || INVISIBLE.test(name)) return { ok: false, problem: "bad-chars" };
  // "-" or "..." alone is no name anyone can address or tell apart.
  if (!LETTER_OR_DIGIT.test(name)) return { ok: false, problem: "no-letter" };
  return { ok: true, name };
}

/**
 * The key under which names are unique and found: names that look alike get
 * the same key. "Ana" and "ana" collide, so do the composed and decomposed
 * spellings of "José", and so do Latin "ana" and "аna" with a Cyrillic "а".
 *
 * It is the UTS #39 skeleton of the NFKC-folded, case-folded name (NFD, each character
 * replaced by its prototype from confusables.txt, NFD again), with
 * prototypes that are lowercased too (see scripts/confusables.ts), so "B0B"
 * and "bob" collide as well, and a lowercase letter looks like its capital
 * does ("Isabel" and "lsabel"). Accents on Latin, Greek and Cyrillic letters
 * are left out ("João" and "Joao"). The key is for comparing only, never for
 * display.
 */
export function nameKey(name: string): string {
  // A join asks for the same name's key several times in a row (free? join, index): once is enough.
  if (name === lastName) return lastKey;
  const key = NON_ASCII.test(name) ? fullKey(name) : asciiKey(name);
  lastName = name;
  lastKey = key;
  return key;
}

let lastName = "";
let lastKey = "";

const NON_ASCII = /[^\p{ASCII}]/u;

/**
 * Each ASCII character's part of a key: what fullKey makes of it alone. For
 * ASCII, NFKC, NFD and the case folding map each character by itself, so a
 * name's key is these parts one after another, with fullKey's last step
 * (NFD, accents out) when a part is not ASCII.
 */
const ASCII_KEYS: readonly string[] = Array.from({ length: 128 }, (_, code) => {
  const c = String.fromCharCode(code).toLowerCase();
  return PROTOTYPES.get(c) ?? c;
});

/** Whether each ASCII character is its own key (most lowercase letters and digits). */
const ASCII_SELF: readonly boolean[] = ASCII_KEYS.map(
  (key, code) => key === String.fromCharCode(code),
);

/** Whether some ASCII character's key is not ASCII (none is in today's table). */
const ASCII_TO_OTHER = ASCII_KEYS.some((key) => NON_ASCII.test(key));

function asciiKey(name: string): string {
  // A name made only of characters that are their own keys is its own key: no new string.
  let same = 0;
  while (same < name.length && ASCII_SELF[name.charCodeAt(same)] === true) same++;
  if (same === name.length) return name;
  let key = name.slice(0, same);
  for (let i = same; i < name.length; i++) key += ASCII_KEYS[name.charCodeAt(i)] as string;
  return ASCII_TO_OTHER && NON_ASCII.test(key) ? key.normalize("NFD").replace(ACCENTS, "") : key;
}

function fullKey(name: string): string {
  let key = "";
  // NFKC first folds compatibility forms ("ａｎａ" in fullwidth letters is "ana"). Then case
  // is folded letter by letter through the capital, so that a lowercase letter with a form of
  // its own ("ᲀ", a rounded Cyrillic ve; "ς", the sigma that ends a word) is the letter its
  // capital is ("В", so "в"; "Σ", so "σ").
  let lower = "";
  for (const c of name.normalize("NFKC").toLowerCase()) lower += foldCase(c);
  for (const c of lower.normalize("NFD")) {
    key += PROTOTYPES.get(c) ?? c;
  }
  return key.normalize("NFD").replace(ACCENTS, "");
}

/** One letter, lowercase, as the lowercase of its capital when that capital is one letter too. */
function foldCase(c: string): string {
  const upper = c.toUpperCase();
  // "ß" capitalises to "SS": two letters, so it stays itself.
  return [...upper].length === 1 ? upper.toLowerCase() : c;
}

function decodeConfusables(entries: readonly string[]): Map<string, string> {
  const fromHex = (codes: string, separator: string) =>
    String.fromCodePoint(...codes.split(separator).map((code) => Number.parseInt(code, 16)));
  const map = new Map<string, string>();
  for (const entry of entries) {
    const [prototype = "", chars = ""] = entry.split(":");
    const to = fromHex(prototype, "+");
    for (const code of chars.split(" ")) map.set(fromHex(code, " "), to);
  }
  return map;
}
