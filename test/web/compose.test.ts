/** The page's message box, pure: what its text goes out as, and when Enter only breaks the line. */

import { describe, expect, test } from "bun:test";
import { fenceOpen, outgoing } from "../../src/web/compose.ts";

describe("outgoing", () => {
  test("one line is a message; blank lines at either end do not count", () => {
    expect(outgoing("hello")).toEqual({ kind: "line", line: "hello" });
    expect(outgoing("\n  hello  \n\n")).toEqual({ kind: "line", line: "  hello  " });
    expect(outgoing(" \n\n")).toEqual({ kind: "nothing" });
    expect(outgoing("/me waves")).toEqual({ kind: "line", line: "/me waves" });
  });

  test("several lines are one block: indentation and blank lines inside kept", () => {
    expect(outgoing("def f(x):\n    return x\n\nprint(f(1))\n")).toEqual({
      kind: "block",
      lines: ["def f(x):", "    return x", "", "print(f(1))"],
    });
    expect(outgoing("a\r\nb")).toEqual({ kind: "block", lines: ["a", "b"] });
  });

  test("a block typed between fences goes without them; one line left is a message", () => {
    expect(outgoing("```python\nif x:\n    y()\n```")).toEqual({
      kind: "block",
      lines: ["if x:", "    y()"],
    });
    expect(outgoing("```\n\nonly this\n\n```")).toEqual({ kind: "line", line: "only this" });
    expect(outgoing("```\n```")).toEqual({ kind: "nothing" });
    // Send pressed before the closing fence: the block is what follows the opening one.
    expect(outgoing("```\na\nb")).toEqual({ kind: "block", lines: ["a", "b"] });
  });

  test("a fence inside a paste is only a line of it", () => {
    expect(outgoing("see:\n```\ncode\n```")).toEqual({
      kind: "block",
      lines: ["see:", "```", "code", "```"],
    });
  });
});

describe("fenceOpen", () => {
  test("a line of ``` opens; the next one alone closes", () => {
    expect(fenceOpen("hello")).toBe(false);
    expect(fenceOpen("```")).toBe(true);
    expect(fenceOpen("```ts")).toBe(true);
    expect(fenceOpen("```\nconst a = 1;")).toBe(true);
    expect(fenceOpen("```\nconst a = 1;\n```")).toBe(false);
    expect(fenceOpen("```\na\n```\n```")).toBe(true);
    expect(fenceOpen("say ``` here")).toBe(false);
  });
});
