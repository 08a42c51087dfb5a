import { describe, expect, test } from "bun:test";
import { isNotice, say } from "../../../src/protocol/messages.ts";
import { decodeBatch, encodeBatch } from "../../../src/server/cluster/events.ts";

describe("batches between servers", () => {
  test("a batch survives the trip as text: lines with newlines, quotes and non-Latin names", () => {
    const events = [
      ["s", '<josé> "quoted" \\ back\u0000slash'],
      ["a", say("kicked", "名前", "op", undefined)],
      ["h", [["ana", "127.0.0.1"]]],
    ] as const;
    const text = encodeBatch(["n1", 7, events as never]);
    expect(text).not.toContain("\n");
    expect(decodeBatch(text)).toEqual(["n1", 7, JSON.parse(JSON.stringify(events))]);
  });

  test("anything that is not a batch is refused, never thrown", () => {
    for (const bad of ["", "{", "[]", '["n", "1", []]', '["n", 1, [1]]', '["n", 1, {}]', "null"]) {
      expect(decodeBatch(bad)).toBeNull();
    }
  });

  test("a notice from elsewhere is used only if this papo can word it", () => {
    expect(isNotice(JSON.parse(JSON.stringify(say("left", "ana", undefined))))).toBe(true);
    expect(isNotice({ key: "joined", args: ["ana"] })).toBe(true);
    expect(isNotice({ key: "toString", args: [] })).toBe(false);
    expect(isNotice({ key: "welcome", args: ["x"] })).toBe(false);
    expect(isNotice({ key: "joined", args: [{}] })).toBe(false);
    expect(isNotice({ key: "joined" })).toBe(false);
    expect(isNotice("joined")).toBe(false);
  });
});
