/**
 * Name rules: 1 to 24 Unicode letters, digits, "_", "-" or ".", at least one
 * of them a letter or digit, compared case-insensitively. Pure; the room
 * decides whether a valid name is free, and messages.ts says why one is not
 * valid in each language.
 */

import { PROTOCOL } from "../config.ts";
import { sanitize } from "./sanitize.ts";

const NAME_CHARS = /^[\p{L}\p{M}\p{Nd}_.-]+$/u;
const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;

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
  if (!NAME_CHARS.test(name)) return { ok: false, problem: "bad-chars" };
  // "-" or "..." alone is no name anyone can address or tell apart.
  if (!LETTER_OR_DIGIT.test(name)) return { ok: false, problem: "no-letter" };
  return { ok: true, name };
}

/**
 * The key under which names are unique and found: "Ana" and "ana" collide,
 * and so do the composed and decomposed spellings of "José".
 */
export function nameKey(name: string): string {
  return name.normalize("NFC").toLowerCase();
}
