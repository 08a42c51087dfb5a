/** store/rows.ts: a turn's lines as a row and back; a block stays one line with its lines. */

import { expect, test } from "bun:test";
import { blockText } from "../../../src/protocol/block.ts";
import { decodeLines, encodeLines } from "../../../src/server/store/rows.ts";

test("a block is kept as one line, its lines and blank ones as they were", () => {
  const text = blockText("ana", ["if x:", "", "\ty"]);
  const row = encodeLines([
    { line: { kind: "chat", from: "ana", text }, at: 1000 },
    { line: { kind: "chat", from: "bob", text: "<bob> nice" }, at: 1005 },
  ]);
  expect(decodeLines(row)).toEqual([
    { at: 1000, kind: "chat", from: "ana", text },
    { at: 1005, kind: "chat", from: "bob", text: "<bob> nice" },
  ]);
});
