/**
 * Random input into every parser that takes what someone else wrote: the
 * line decoder (any bytes, telnet, Latin-1), the command parser, names, and
 * the client's and the page's reading of server lines. None throws, none lets
 * a control character through to a screen, none yields an unbounded line.
 */

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { read } from "../../src/client/core/meaning.ts";
import { classify } from "../../src/client/core/shown.ts";
import { LineDecoder } from "../../src/protocol/lines.ts";
import { checkName, nameKey } from "../../src/protocol/names.ts";
import { parseInput } from "../../src/protocol/parse.ts";
import { sanitize } from "../../src/protocol/sanitize.ts";
import { present } from "../../src/web/view.ts";

/** Whether `text` holds C0 but tab, DEL or C1: what a terminal acts on. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** Text as a client could type it, odd characters and lone surrogates included. */
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.constantFrom("/", "//", "/op", "/msg", "/msg ana", "/kick", "/ban x y", "* <a> b", "! x"),
);

describe("the line decoder on any bytes", () => {
  test("never throws, never yields a line past the limit, and Latin-1 bytes become their letters", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.integer({ min: 1, max: 64 }),
        (bytes, max) => {
          const decoder = new LineDecoder(max);
          const lines = decoder.push(bytes);
          const last = decoder.finish();
          for (const line of last === undefined ? lines : [...lines, last]) {
            if (typeof line !== "string") continue;
            // A line of at most `max` bytes is at most `max` characters, whatever its encoding.
            expect(line.length).toBeLessThanOrEqual(max);
            expect(line.includes("\n")).toBe(false);
          }
        },
      ),
    );
    // "café" in Latin-1 (0xE9 is no valid UTF-8 on its own).
    expect(new LineDecoder(100).push(new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]))).toEqual([
      "café",
    ]);
  });
});

describe("the command parser on any text", () => {
  test("never throws; what it passes on holds no control character once sanitised", () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const input = parseInput(sanitize(raw));
        for (const value of Object.values(input)) {
          if (typeof value === "string") expect(hasControl(value)).toBe(false);
        }
      }),
    );
  });

  test("a line that is no command is a message of itself; '//' sends one '/'", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), (text) => {
        const line = sanitize(text);
        fc.pre(line.trim() !== "" && !line.startsWith("/"));
        expect(parseInput(line)).toEqual({ kind: "message", text: line });
        expect(parseInput(`//${line}`)).toEqual({ kind: "message", text: `/${line}` });
      }),
    );
  });
});

describe("names on any text", () => {
  test("a name that passes is clean and its key is stable", () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const check = checkName(raw);
        if (!check.ok) return;
        expect(hasControl(check.name)).toBe(false);
        expect(nameKey(nameKey(check.name))).toBe(nameKey(check.name));
        // Case never makes another name (where a capital is one letter: "ᾀ" capitalises to two).
        const upper = check.name.toUpperCase();
        if ([...upper].length === [...check.name].length) {
          expect(nameKey(upper)).toBe(nameKey(check.name.toLowerCase()));
        }
      }),
    );
  });
});

describe("reading server lines, in the client and the page", () => {
  test("any line: classified without throwing, and the page shows no control character", () => {
    fc.assert(
      fc.property(anyText, anyText, (raw, self) => {
        classify(raw);
        read(raw);
        // Tagged too: any tags in front of any text.
        read(`@${raw.replaceAll(" ", ";")} ${self}`);
        const entry = present(raw, self, new Date(0));
        for (const value of Object.values(entry)) {
          if (typeof value === "string") expect(hasControl(value)).toBe(false);
        }
      }),
    );
  });
});
