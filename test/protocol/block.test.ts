/** protocol/block.ts: a block's lines on the wire and back, its limits, its parts put together. */

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  BlockReader,
  blockBytes,
  blockLines,
  blockText,
  checkBlock,
  closesBlock,
  encodeBlock,
  encodeTyped,
  opensBlock,
  parseBlockHeader,
  parsePart,
  partTag,
  splitLines,
  trimBlock,
  utf8Bytes,
} from "../../src/protocol/block.ts";
import { BLOCK } from "../../src/protocol/limits.ts";
import { parseTagged, tagged } from "../../src/protocol/tags.ts";

describe("sending", () => {
  test("a papo client sends @block=N and the N lines; the header reads back", () => {
    expect(encodeBlock(["a", "", "  b"])).toEqual(["@block=3", "a", "", "  b"]);
    expect(parseBlockHeader("@block=3")).toBe(3);
    expect(parseBlockHeader("@block=")).toBeNull();
    expect(parseBlockHeader("@block=3 hi")).toBeNull();
    expect(parseBlockHeader("hello")).toBeNull();
  });

  test("a typed line that reads as a header goes as a block of that one line", () => {
    expect(encodeTyped("@block=3")).toEqual(["@block=1", "@block=3"]);
    expect(encodeTyped("@block=99999999999")).toEqual(["@block=1", "@block=99999999999"]);
    expect(encodeTyped("@block=3 hi")).toEqual(["@block=3 hi"]);
    expect(encodeTyped("hello")).toEqual(["hello"]);
    // A lone fence sent as it is would open a block on the server and swallow what follows.
    expect(encodeTyped("```")).toEqual(["@block=1", "```"]);
    expect(encodeTyped("```ts")).toEqual(["@block=1", "```ts"]);
    expect(encodeTyped("``` not a fence")).toEqual(["``` not a fence"]);
  });

  test("three backticks open a block (a language name may follow) and close it (alone)", () => {
    expect(opensBlock("```")).toBe(true);
    expect(opensBlock("```python")).toBe(true);
    expect(opensBlock("  ```  ")).toBe(true);
    expect(opensBlock("```two words")).toBe(false);
    expect(opensBlock("say ```")).toBe(false);
    expect(opensBlock("``")).toBe(false);
    expect(closesBlock("```")).toBe(true);
    expect(closesBlock("``` ")).toBe(true);
    expect(closesBlock("```ts")).toBe(false);
  });

  test("limits: lines, bytes (UTF-8, a newline between lines) and a line's own", () => {
    expect(blockBytes(["ab", "é"])).toBe(2 + 1 + 2);
    expect(checkBlock(["a", "b"])).toBeNull();
    const many = Array.from({ length: BLOCK.maxLines + 1 }, () => "x");
    expect(checkBlock(many)).toEqual({
      kind: "lines",
      lines: BLOCK.maxLines + 1,
      max: BLOCK.maxLines,
    });
    const wide = Array.from({ length: 5 }, () => "x".repeat(4000));
    expect(checkBlock(wide)?.kind).toBe("bytes");
    expect(checkBlock(["x".repeat(20)], 10)).toEqual({ kind: "line", bytes: 20, max: 10 });
  });

  test("utf8Bytes counts as TextEncoder does", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(utf8Bytes(s)).toBe(new TextEncoder().encode(s).length);
      }),
      { numRuns: 300 },
    );
  });

  test("a paste splits at any line ending; blank lines at its ends go", () => {
    expect(splitLines("a\r\nb\rc\nd")).toEqual(["a", "b", "c", "d"]);
    expect(trimBlock(["", "  ", "a", "", "b", " "])).toEqual(["a", "", "b"]);
  });
});

describe("the v1 text", () => {
  test("`<ana> | line` per line, `<ana> |` for a blank one, and back", () => {
    const lines = ["def f():", "", "    return 1", "\tx"];
    const text = blockText("ana", lines);
    expect(text).toBe("<ana> | def f():\n<ana> |\n<ana> |     return 1\n<ana> | \tx");
    expect(blockLines(text, "ana")).toEqual(lines);
    expect(blockLines(text, "bob")).toBeNull();
  });

  test("any lines (no newline in them) make the round trip", () => {
    const line = fc.string().filter((s) => !/[\n]/.test(s));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 20 }), (lines) => {
        expect(blockLines(blockText("ana", lines), "ana")).toEqual(lines);
      }),
    );
  });
});

describe("reading parts", () => {
  const part = (k: number, n: number, line: string, from = "ana") =>
    parseTagged(
      tagged(
        { kind: "chat", from, part: partTag(k, n) },
        line === "" ? `<${from}> |` : `<${from}> | ${line}`,
      ),
    );

  test("parts come together into one block; other lines pass", () => {
    const reader = new BlockReader();
    expect(reader.read({ kind: "chat", from: "bob" }, "<bob> hi")).toEqual({ kind: "line" });
    const lines = ["if x:", "", "    y"];
    const reads = lines.map((l, i) => {
      const p = part(i + 1, 3, l);
      return reader.read(p.tags, p.text);
    });
    expect(reads.slice(0, 2)).toEqual([{ kind: "more" }, { kind: "more" }]);
    expect(reads[2]).toEqual({
      kind: "block",
      lines,
      texts: ["<ana> | if x:", "<ana> |", "<ana> |     y"],
    });
  });

  test("a history part is read from its `line` tag", () => {
    const reader = new BlockReader();
    const tags = { kind: "history", from: "ana", line: "<ana> | a", part: "1/2" };
    expect(reader.read(tags, "[history 10:00] <ana> | a")).toEqual({ kind: "more" });
    const last = { ...tags, line: "<ana> | b", part: "2/2" };
    expect(reader.read(last, "[history 10:00] <ana> | b")).toEqual({
      kind: "block",
      lines: ["a", "b"],
      texts: ["[history 10:00] <ana> | a", "[history 10:00] <ana> | b"],
    });
  });

  test("a part out of order, or not its sayer's block line, is a plain line", () => {
    const reader = new BlockReader();
    const first = part(1, 3, "a");
    reader.read(first.tags, first.text);
    const skipped = part(3, 3, "c");
    expect(reader.read(skipped.tags, skipped.text)).toEqual({ kind: "line" });
    const forged = parseTagged(tagged({ kind: "chat", from: "ana", part: "1/1" }, "<bob> | x"));
    expect(reader.read(forged.tags, forged.text)).toEqual({ kind: "line" });
    expect(parsePart("0/2")).toBeNull();
    expect(parsePart("3/2")).toBeNull();
    expect(parsePart("2/2")).toEqual({ k: 2, n: 2 });
  });
});
