/**
 * Removes what a terminal would interpret rather than print: escape sequences
 * (CSI, OSC, DCS and friends, in their 7-bit and 8-bit forms) and control
 * characters (C0 except tab, DEL, C1). Printable Unicode passes untouched.
 *
 * Used by the server before relaying and by the client before displaying.
 */

// biome-ignore-start lint/suspicious/noControlCharactersInRegex: matching control characters is the point
/** Anything that needs work; most lines have none and are returned as they are. */
const NEEDS_CLEANING = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

/**
 * Whole escape sequences, so their parameters do not leak as text:
 * - ESC [ ... final  and 8-bit CSI (U+009B)
 * - ESC ] ... BEL|ST and 8-bit OSC (U+009D)
 * - ESC P/X/^/_ ... ST (DCS, SOS, PM, APC) and their 8-bit forms
 * - ESC followed by intermediates and one final byte (charset selection, RIS, ...)
 * An unterminated string sequence runs to the end of the line.
 */
const ESCAPE_SEQUENCES =
  /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?|\x1b[\x20-\x2f]*[\x30-\x7e]?/g;

const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
// biome-ignore-end lint/suspicious/noControlCharactersInRegex: see above

/** Strip escape sequences and control characters (tab is kept). */
export function sanitize(text: string): string {
  if (!NEEDS_CLEANING.test(text)) return text;
  return text.replace(ESCAPE_SEQUENCES, "").replace(CONTROLS, "");
}

/** True when text has nothing but whitespace (or nothing at all). */
export function isBlank(text: string): boolean {
  return text.trim().length === 0;
}
