/** core/blocks.ts and tty/render.ts's renderBlock: a block the server sends, gathered and drawn. */

import { describe, expect, test } from "bun:test";
import { gather } from "../../src/client/core/blocks.ts";
import { read, type ServerLine } from "../../src/client/core/meaning.ts";
import { renderBlock } from "../../src/client/tty/render.ts";
import { BlockReader } from "../../src/protocol/block.ts";

describe("gather", () => {
  test("the parts of a block are one line for the display; other lines pass as they are", () => {
    const reader = new BlockReader();
    const time = "2026-12-06T11:50:00.000Z";
    const wire = [
      `@kind=chat;pos=ab.7;time=${time};from=ana;part=1/3 <ana> | if x:`,
      `@kind=chat;pos=ab.7;time=${time};from=ana;part=2/3 <ana> |`,
      `@kind=chat;pos=ab.7;time=${time};from=ana;part=3/3 <ana> | \ty\x1b[31m`,
      `@kind=chat;pos=ab.8;time=${time};from=bob <bob> nice`,
    ];
    const out = wire.map((l) => gather(reader, read(l)));
    expect(out.slice(0, 2)).toEqual([null, null]);
    const block = out[2] as ServerLine;
    expect(block.block).toEqual(["if x:", "", "\ty"]);
    expect(block.text).toBe("<ana> | if x:\n<ana> |\n<ana> | \ty");
    expect(block.from).toBe("ana");
    expect(block.pos).toEqual({ epoch: "ab", seq: 7 });
    expect(out[3]?.text).toBe("<bob> nice");
    expect(out[3]?.block).toBeUndefined();
  });
});

describe("renderBlock", () => {
  const time = new Date(2026, 11, 6, 11, 50);

  test("a head with the time and the name, then each line after a gutter, tabs as spaces", () => {
    const shown = renderBlock("ana", ["if x:", "", "\ty", "ab\tc"], { color: false, time });
    expect(shown.split("\n")).toEqual([
      "11:50 <ana>",
      "│ if x:",
      "│ ",
      "│         y",
      "│ ab      c",
    ]);
  });

  test("from history, with its day; said by an operator, with @", () => {
    const said = new Date(2026, 11, 5, 9, 5);
    const shown = renderBlock("prof", ["a", "b"], {
      color: false,
      time,
      said,
      history: true,
      op: true,
    });
    expect(shown.split("\n")[0]).toBe("Dec 5 09:05 <@prof>");
  });

  test("with colour, your name where someone else's block mentions it is reversed, as in a line", () => {
    const shown = renderBlock("bob", ["x = ana\t# Ana's", "banana"], {
      color: true,
      time,
      self: "ana",
    });
    const [, first, second] = shown.split("\n");
    expect(first).toEndWith("x = \x1b[1;7mana\x1b[0m # \x1b[1;7mAna\x1b[0m's");
    expect(second).toEndWith("banana");
    // Your own block, or one from history: nothing marked.
    expect(renderBlock("ana", ["ana"], { color: true, time, self: "ana" })).not.toContain("1;7m");
    const old = { color: true, time, self: "ana", said: time, history: true };
    expect(renderBlock("bob", ["ana"], old)).not.toContain("1;7m");
  });
});
