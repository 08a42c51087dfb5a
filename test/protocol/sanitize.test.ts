import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { isBlank, sanitize } from "../../src/protocol/sanitize.ts";

describe("sanitize", () => {
  test("printable Unicode passes untouched", () => {
    for (const s of [
      "plain text",
      "olá, você está aí?",
      "日本語のテキスト",
      "emoji 🎉👍🏽 ok",
      "tab\there",
    ]) {
      expect(sanitize(s)).toBe(s);
    }
  });

  test("removes CSI sequences whole, parameters included", () => {
    expect(sanitize("\x1b[31mred\x1b[0m")).toBe("red");
    expect(sanitize("a\x1b[2J\x1b[Hb")).toBe("ab");
    expect(sanitize("x\x1b[?1049hy")).toBe("xy");
    expect(sanitize("8bit\x9b31mcsi")).toBe("8bitcsi");
  });

  test("removes OSC sequences (title changes, hyperlinks) with either terminator", () => {
    expect(sanitize("\x1b]0;pwned\x07hello")).toBe("hello");
    expect(sanitize("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\")).toBe("link");
    expect(sanitize("a\x9d0;t\x9cb")).toBe("ab");
  });

  test("removes DCS/APC/PM strings and two-byte escapes", () => {
    expect(sanitize("a\x1bPq#0;1\x1b\\b")).toBe("ab");
    expect(sanitize("a\x1b_apc\x1b\\b")).toBe("ab");
    expect(sanitize("reset\x1bc!")).toBe("reset!");
    expect(sanitize("charset\x1b(0x")).toBe("charsetx");
  });

  test("removes C0 (except tab), DEL and C1 controls", () => {
    expect(sanitize("bell\x07 back\x08space\x7f nul\x00 cr\r lf\n")).toBe(
      "bell backspace nul cr lf",
    );
    expect(sanitize("c1\x85\x8d\x9cend")).toBe("c1end");
    expect(sanitize("apc\x9fhidden\x9cshown")).toBe("apcshown");
    expect(sanitize("a\tb")).toBe("a\tb");
  });

  test("a lone ESC at the end disappears", () => {
    expect(sanitize("oops\x1b")).toBe("oops");
  });

  test("property: output never contains control characters other than tab", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: checking for them
        expect(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/.test(sanitize(s))).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  test("property: text without controls is unchanged", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: building clean input
        const clean = s.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, "");
        expect(sanitize(clean)).toBe(clean);
      }),
    );
  });

  test("isBlank", () => {
    expect(isBlank("")).toBe(true);
    expect(isBlank(" \t ")).toBe(true);
    expect(isBlank(" x ")).toBe(false);
  });
});
