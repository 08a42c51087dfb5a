import { describe, expect, test } from "bun:test";
import { redacted, workerCount } from "../../../src/cli/workers.ts";
import { isNotice, say } from "../../../src/protocol/messages.ts";
import { decodeBatch, encodeBatch } from "../../../src/server/room/peers.ts";

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

describe("--workers", () => {
  test("a count, or auto for one per core", () => {
    expect(workerCount("3", 2)).toBe(3);
    expect(workerCount("auto", 8)).toBe(8);
    expect(workerCount("auto", 0)).toBe(1);
    for (const bad of ["0", "-1", "1.5", "x", "", "257"]) {
      expect(() => workerCount(bad, 2)).toThrow(
        /--workers must be a number from 1 to 256, or auto/,
      );
    }
  });

  test("a Redis URL is logged without its password", () => {
    expect(redacted("redis://:secret@10.0.0.5:6379")).toBe("redis://:***@10.0.0.5:6379");
    expect(redacted("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
    expect(redacted("not a url")).toBe("the Redis URL");
  });
});
