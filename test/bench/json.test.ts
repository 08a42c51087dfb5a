import { describe, expect, test } from "bun:test";
import { formatJson } from "../../bench/report/json.ts";

describe("formatJson", () => {
  test("objects take one key per line; short arrays stay on one line", () => {
    expect(formatJson({ a: 1, list: [1, 2], empty: [], none: {} })).toBe(
      '{\n  "a": 1,\n  "list": [1, 2],\n  "empty": [],\n  "none": {}\n}\n',
    );
  });

  test("several nested arrays break, each inner one on its own line", () => {
    expect(
      formatJson({
        f: [
          ["k", "v"],
          ["x", "y"],
        ],
      }),
    ).toBe('{\n  "f": [\n    ["k", "v"],\n    ["x", "y"]\n  ]\n}\n');
  });

  test("an array too long for the line breaks", () => {
    const long = Array.from({ length: 30 }, (_, i) => `item ${i}`);
    const text = formatJson({ long });
    expect(text.split("\n").every((line) => line.length <= 100)).toBe(true);
    expect(JSON.parse(text)).toEqual({ long });
  });

  test("numbers keep four decimals; undefined is dropped as JSON.stringify does", () => {
    expect(JSON.parse(formatJson({ x: 1 / 3, n: 12, u: undefined }))).toEqual({ x: 0.3333, n: 12 });
  });
});
