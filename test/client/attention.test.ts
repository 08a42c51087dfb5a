import { describe, expect, test } from "bun:test";
import { attention, blockAttention, mentions, rings } from "../../src/client/core/attention.ts";
import { gather } from "../../src/client/core/blocks.ts";
import { read, type ServerLine } from "../../src/client/core/meaning.ts";
import { classify } from "../../src/client/core/shown.ts";
import { BlockReader } from "../../src/protocol/block.ts";
import { SERVER_TEXT } from "../../src/protocol/messages.ts";
import { v2 } from "./v2.ts";

const en = v2("en");

describe("mentions: the name as a whole word, in any case", () => {
  test("anywhere in the text, any case, next to punctuation", () => {
    for (const text of [
      "ana",
      "hi ana",
      "ANA: look",
      "Ana, hi",
      "ok ana.",
      "(ana)",
      "@ana",
      "ana!",
    ]) {
      expect(mentions(text, "ana"), text).toBe(true);
    }
  });

  test("not inside another word or another member's name", () => {
    for (const text of [
      "banana",
      "anabela",
      "ana_b",
      "ana-maria",
      "ana.b",
      "mariana",
      "an a",
      "",
    ]) {
      expect(mentions(text, "ana"), text).toBe(false);
    }
  });

  test("names with dots, dashes and accents; composed or not", () => {
    expect(mentions("hey jo.b!", "jo.b")).toBe(true);
    expect(mentions("hey joxb", "jo.b")).toBe(false);
    expect(mentions("oi JOSÉ", "josé")).toBe(true);
    expect(mentions("oi jose\u0301", "josé")).toBe(true);
    expect(mentions("josélia", "josé")).toBe(false);
  });
});

describe("attention and the bell", () => {
  const shown = (line: string) => classify(line.startsWith("@") ? read(line) : line);

  test("every private message, in either language", () => {
    expect(attention(shown(en.reply("privateFrom", ["bob", "psst"])), "ana")).toBe("private");
    expect(attention(shown(v2("pt").reply("privateFrom", ["bob", "oi"])), "ana")).toBe("private");
    expect(attention(shown(en.reply("privateTo", ["bob", "psst"])), "ana")).toBeNull();
    // Untagged, it is no private line: nobody but the server tags lines.
    expect(attention(shown(SERVER_TEXT.en.privateFrom("bob", "x")), "ana")).toBeNull();
  });

  test("someone else's chat or action that mentions you", () => {
    expect(attention(shown("<bob> ana: hi"), "ana")).toBe("mention");
    expect(attention(shown("* <bob> waves at Ana"), "ana")).toBe("mention");
    expect(attention(shown("<bob> hi all"), "ana")).toBeNull();
  });

  test("never your own lines, history, or the server's notices", () => {
    expect(attention(shown("<ana> I am ana"), "ana")).toBeNull();
    expect(attention(shown("<Ana> I am ana"), "ana")).toBeNull();
    expect(attention(shown(en.history("bob", "ana?", 1)), "ana")).toBeNull();
    expect(attention(shown(en.chat("bob", "ana?", 2)), "ana")).toBe("mention");
    expect(attention(shown("* ana joined"), "ana")).toBeNull();
    expect(attention(shown("<bob> ana"), "")).toBeNull();
  });

  test("the bell rings for those, unless it is off", () => {
    expect(rings(shown("<bob> ana?"), "ana", true)).toBe(true);
    expect(rings(shown(en.reply("privateFrom", ["bob", "x"])), "ana", true)).toBe(true);
    expect(rings(shown("<bob> ana?"), "ana", false)).toBe(false);
    expect(rings(shown("<bob> hi"), "ana", true)).toBe(false);
  });
});

describe("a block's attention", () => {
  /** A block of `from`'s as the display gets it: its v2 parts gathered (core/blocks.ts). */
  const block = (from: string, lines: string[], kind = "chat"): ServerLine => {
    const reader = new BlockReader();
    let whole: ServerLine | null = null;
    lines.forEach((line, i) => {
      const text = line === "" ? `<${from}> |` : `<${from}> | ${line}`;
      whole = gather(
        reader,
        read(`@kind=${kind};from=${from};part=${i + 1}/${lines.length} ${text}`),
      );
    });
    return whole as unknown as ServerLine;
  };
  const of = (line: ServerLine, self: string) =>
    blockAttention(line.from ?? "", line.block ?? [], self, line.kind === "history");

  test("someone else's block naming you in any of its lines is a mention, as a line would be", () => {
    expect(of(block("bob", ["def f():", "", "    return x  # ANA, see?"]), "ana")).toBe("mention");
    expect(of(block("bob", ["def f():", "    return banana"]), "ana")).toBeNull();
    // Not across lines: each is checked as a line is.
    expect(of(block("bob", ["an", "a"]), "ana")).toBeNull();
  });

  test("never your own block, a block from history, or with no name yet", () => {
    expect(of(block("Ana", ["I am", "ana"]), "ana")).toBeNull();
    expect(of(block("bob", ["hi", "ana"], "history"), "ana")).toBeNull();
    expect(of(block("bob", ["hi", "ana"]), "")).toBeNull();
  });
});
