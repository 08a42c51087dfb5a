/**
 * JSON for the results file, laid out the way the project's formatter (Biome,
 * Prettier-style) lays out JSON, so a committed results file passes `biome ci`
 * as written: objects one key per line, arrays on one line when they fit.
 * Numbers are rounded to what a measurement can claim. Pure.
 */

const LINE_WIDTH = 100;
const INDENT = "  ";
/** Decimal places kept for non-integers. */
const DECIMALS = 4;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Serialise `value` (anything JSON.stringify accepts). */
export function formatJson(value: unknown): string {
  // Round-trip first: drops undefined and functions, applies toJSON, like JSON.stringify.
  const plain = JSON.parse(JSON.stringify(value, round)) as Json;
  return `${write(plain, "", 0)}\n`;
}

function round(_key: string, value: unknown): unknown {
  if (typeof value !== "number" || Number.isInteger(value) || !Number.isFinite(value)) return value;
  return Number(value.toFixed(DECIMALS));
}

function isComposite(v: Json): v is Json[] | { [key: string]: Json } {
  return typeof v === "object" && v !== null;
}

/** `prefix` is the width already taken on the line (indent plus `"key": `). */
function write(value: Json, indent: string, prefix: number): string {
  if (!isComposite(value)) return JSON.stringify(value);
  const inner = indent + INDENT;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    // Like Prettier: several nested arrays or objects each get their own line.
    const breaks = value.length > 1 && value.every((v) => isComposite(v) && size(v) > 1);
    if (!breaks) {
      const flat = inline(value);
      if (flat !== null && prefix + flat.length + 1 <= LINE_WIDTH) return flat;
    }
    const items = value.map((v) => `${inner}${write(v, inner, inner.length)}`);
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return "{}";
  const items = keys.map((k) => {
    const head = `${inner}${JSON.stringify(k)}: `;
    return `${head}${write(value[k] as Json, inner, head.length)}`;
  });
  return `{\n${items.join(",\n")}\n${indent}}`;
}

function size(v: Json[] | { [key: string]: Json }): number {
  return Array.isArray(v) ? v.length : Object.keys(v).length;
}

/** An array on one line, or null if it holds an object (those always break). */
function inline(value: Json[]): string | null {
  const parts: string[] = [];
  for (const v of value) {
    if (Array.isArray(v)) {
      const nested = inline(v);
      if (nested === null) return null;
      parts.push(nested);
    } else if (isComposite(v)) {
      if (Object.keys(v).length > 0) return null;
      parts.push("{}");
    } else parts.push(JSON.stringify(v));
  }
  return `[${parts.join(", ")}]`;
}
