import { describe, expect, test } from "bun:test";
import { History } from "../../../src/server/room/history.ts";

const chat = (from: string, text: string) => ({
  kind: "chat" as const,
  from,
  text: `<${from}> ${text}`,
});

describe("the room's history", () => {
  test("keeps the last lines said, oldest first, with sayer, time and position", () => {
    const h = new History(2);
    h.remember(chat("ana", "one"), 1, { epoch: "e", seq: 1 });
    h.remember(chat("bob", "two"), 2, { epoch: "e", seq: 2 });
    h.remember(chat("ana", "three"), 3, null);
    expect(h.lines()).toEqual([
      { at: 2, line: "<bob> two", from: "bob", pos: { epoch: "e", seq: 2 } },
      { at: 3, line: "<ana> three", from: "ana", pos: null },
    ]);
  });

  test("with no history asked for, keeps nothing", () => {
    const h = new History(0);
    h.remember(chat("ana", "one"), 1, null);
    expect(h.lines()).toEqual([]);
  });
});
