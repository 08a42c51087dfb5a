#!/usr/bin/env bun
/**
 * Regenerates src/protocol/confusables.ts, the table behind nameKey, from
 * Unicode's confusables.txt (UTS #39) as the npm package unhomoglyph ships it
 * (its data.json has one entry per line of the file).
 *
 *   bun scripts/confusables.ts
 *
 * The package is fetched with `npm pack` into a temporary folder and checked
 * against the integrity pinned below, so papo depends on it neither at run
 * time nor as a dev dependency. To move to newer data, change SOURCE (and
 * UNICODE_VERSION to what that release's changelog names), run this, and
 * commit the result with the tests.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SOURCE = {
  spec: "unhomoglyph@1.0.6",
  integrity:
    "sha512-7uvcWI3hWshSADBu4JpnyYbTVc7YlhF5GDW/oPD5AxIxl34k4wXR3WDkPnzLxkN32LiTCTKMQLtKVZiwki3zGg==",
  file: "package/data.json",
};
/** The confusables.txt release unhomoglyph 1.0.6 carries (its CHANGELOG). */
const UNICODE_VERSION = "13.0.0";
const OUTPUT = join(import.meta.dir, "..", "src", "protocol", "confusables.ts");
/** Characters a name may hold; the same class as src/protocol/names.ts. */
const NAME_CHAR = /^[\p{L}\p{M}\p{Nd}_.-]$/u;
/** Longest line written, to stay inside the formatter's width. */
const LINE_WIDTH = 100;
/** Rounds of folding and mapping a prototype may need before it settles. */
const MAX_ROUNDS = 8;

const raw = withCapitals(loadMapping());
const table = buildTable(raw);
writeFileSync(OUTPUT, render(table));
const keys = [...table.values()].reduce((n, k) => n + k.length, 0);
console.log(`wrote ${OUTPUT}: ${keys} characters onto ${table.size} prototypes`);

/** confusables.txt as a map from one character to its prototype. */
function loadMapping(): Map<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "papo-confusables-"));
  try {
    const pack = Bun.spawnSync(["npm", "pack", SOURCE.spec, "--json", "--pack-destination", dir], {
      stderr: "inherit",
    });
    if (pack.exitCode !== 0) throw new Error(`npm pack ${SOURCE.spec} failed`);
    const [info] = JSON.parse(pack.stdout.toString()) as Array<{
      filename: string;
      integrity: string;
    }>;
    if (info?.integrity !== SOURCE.integrity) {
      throw new Error(`${SOURCE.spec} has integrity ${info?.integrity}, not the pinned one`);
    }
    const untar = Bun.spawnSync(["tar", "xzf", join(dir, info.filename), "-C", dir]);
    if (untar.exitCode !== 0) throw new Error(`cannot unpack ${info.filename}`);
    const data = JSON.parse(readFileSync(join(dir, SOURCE.file), "utf8")) as Record<string, string>;
    return new Map(Object.entries(data));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Prototype -> the characters that map onto it, for every character that can
 * occur in a case-folded NFD name. The rest of confusables.txt is never
 * consulted by nameKey, so it is left out.
 */
function buildTable(mapping: Map<string, string>): Map<string, string[]> {
  const reachable = nameCharacters();
  const table = new Map<string, string[]>();
  for (const [from, to] of [...mapping].sort(([a], [b]) => cp(a) - cp(b))) {
    if (!reachable.has(from)) continue;
    const prototype = settle(to, mapping);
    if (prototype === from) continue;
    const list = table.get(prototype) ?? [];
    list.push(from);
    table.set(prototype, list);
  }
  return new Map([...table].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * NOTE: nameKey lowercases a name before it maps it, so a capital's own look
 * would be lost: "I" looks like "l" (as "Isabel" looks like "lsabel"), but
 * "i" does not. A lowercase letter with no look-alike of its own therefore
 * takes its capital's ("i" -> "l", Cyrillic "н" -> "h" as "Н" looks like
 * "H"), so a name has one key whatever its case; "ian" and "lan" then share
 * a key too, which only means they cannot both be in the room at once.
 */
function withCapitals(mapping: Map<string, string>): Map<string, string> {
  const out = new Map(mapping);
  for (const c of nameCharacters()) {
    const capital = c.toUpperCase();
    if (capital === c || [...capital].length !== 1 || mapping.has(c)) continue;
    const looks = mapping.get(capital);
    if (looks !== undefined && looks.toLowerCase().normalize("NFD") !== c) out.set(c, looks);
  }
  return out;
}

/** Every character that NFD(lowercase(c)) yields for a name character c. */
function nameCharacters(): Set<string> {
  const out = new Set<string>();
  for (let code = 0; code <= 0x10ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const c = String.fromCodePoint(code);
    if (!NAME_CHAR.test(c)) continue;
    for (const d of c.toLowerCase().normalize("NFD")) out.add(d);
  }
  return out;
}

/**
 * NOTE: the prototype is case-folded and mapped again until nothing changes,
 * a step TR39 does not take: its prototypes may be capitals ("0" -> "O") or
 * map further once lowered ("ℳ" -> "M" -> "m" -> "rn"). Settling them here
 * keeps nameKey case-insensitive all the way through and lets it run in one
 * pass: a key's own key is itself.
 */
function settle(prototype: string, mapping: Map<string, string>): string {
  let text = prototype;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const folded = text.toLowerCase().normalize("NFD");
    let mapped = "";
    for (const c of folded) mapped += foldedPrototype(c, mapping);
    if (mapped === folded) return folded;
    text = mapped;
  }
  throw new Error(`prototype ${hex(prototype, "+")} does not settle`);
}

/**
 * A character's prototype, lowercased; itself when it has none or when that
 * would only swap its case back ("ꝺ" has the prototype "Ꝺ").
 */
function foldedPrototype(c: string, mapping: Map<string, string>): string {
  const prototype = mapping.get(c);
  if (prototype === undefined) return c;
  const folded = prototype.toLowerCase().normalize("NFD");
  return folded === c ? c : folded;
}

function render(table: Map<string, string[]>): string {
  const lines: string[] = [];
  for (const [prototype, froms] of table) {
    // Long lists are split over several entries with the same prototype.
    const head = `  "${hex(prototype, "+")}:`;
    let line = head;
    for (const from of froms) {
      const code = cp(from).toString(16);
      if (line !== head && line.length + code.length + 3 > LINE_WIDTH) {
        lines.push(`${line}",`);
        line = head;
      }
      line += line === head ? code : ` ${code}`;
    }
    lines.push(`${line}",`);
  }
  return `/**
 * Generated by scripts/confusables.ts from Unicode confusables.txt ${UNICODE_VERSION}
 * (UTS #39, as shipped in the npm package ${SOURCE.spec}); do not edit, run
 * \`bun scripts/confusables.ts\` instead. Unicode data © Unicode, Inc., under the
 * Unicode License (https://www.unicode.org/license.txt).
 *
 * Each entry is "PROTOTYPE:CHARS" in hex code points: every one of CHARS
 * (space-separated) looks like PROTOTYPE (code points joined by "+"). Only
 * characters that can occur in a lowercased NFD name are listed (a lowercase
 * letter with no look-alike of its own under its capital's: "i" under "l"),
 * and each prototype is already lowercased, NFD and mapped until it maps to
 * itself.
 */
export const CONFUSABLES: readonly string[] = [
${lines.join("\n")}
];
`;
}

function cp(c: string): number {
  return c.codePointAt(0) ?? 0;
}

function hex(text: string, separator: string): string {
  return [...text].map((c) => cp(c).toString(16)).join(separator);
}
