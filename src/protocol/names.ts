/**
 * Name rules: 1 to 24 Unicode letters, digits, "_", "-" or ".", compared
 * case-insensitively. Pure; the room decides whether a valid name is free.
 */

import { PROTOCOL } from "../config.ts";
import { sanitize } from "./sanitize.ts";

const NAME_CHARS = /^[\p{L}\p{M}\p{Nd}_.-]+$/u;

export type NameCheck =
  | { ok: true; name: string }
  | { ok: false; code: "empty" | "too-long" | "bad-chars"; reason: string };

/** Validate a requested name; returns it cleaned (trimmed, NFC) or why it is refused. */
export function checkName(raw: string): NameCheck {
  const name = sanitize(raw).trim().normalize("NFC");
  if (name.length === 0) return { ok: false, code: "empty", reason: "name is empty" };
  // Count code points, not UTF-16 units, so "名前" is 2 characters.
  let length = 0;
  for (const _ of name) length++;
  if (length > PROTOCOL.maxNameLength) {
    return {
      ok: false,
      code: "too-long",
      reason: `name is longer than ${PROTOCOL.maxNameLength} characters`,
    };
  }
  if (!NAME_CHARS.test(name)) {
    return {
      ok: false,
      code: "bad-chars",
      reason: "use only letters, digits, _ - and . (no spaces)",
    };
  }
  return { ok: true, name };
}

/**
 * The key under which names are unique and found: "Ana" and "ana" collide,
 * and so do the composed and decomposed spellings of "José".
 */
export function nameKey(name: string): string {
  return name.normalize("NFC").toLowerCase();
}
