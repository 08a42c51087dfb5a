import { describe, expect, test } from "bun:test";
import { Members } from "../../src/client/core/members.ts";
import { action, chat, SERVER_TEXT } from "../../src/protocol/messages.ts";

const en = SERVER_TEXT.en;
const pt = SERVER_TEXT.pt;

function heard(...lines: string[]): Members {
  const members = new Members();
  for (const line of lines) members.hear(line);
  return members;
}

describe("who the client knows is in the room", () => {
  test("the welcome's list, then joins, leaves and renames", () => {
    const m = heard(
      en.welcome("ana", 3, ["bob", "Carla", "ana"]),
      en.joined("dora"),
      en.left("bob", "lunch"),
      en.renamed("Carla", "carlota"),
    );
    expect(m.names()).toEqual(["ana", "carlota", "dora"]);
  });

  test("kicks, bans and the too-slow leave remove; in Portuguese too", () => {
    const m = heard(
      pt.welcome("ana", 5, ["a1", "b2", "c3", "d4", "ana"]),
      pt.kicked("a1", "prof", "chega"),
      pt.banned("b2", "prof"),
      pt.leftTooSlow("c3"),
      pt.joined("zé"),
    );
    expect(m.names()).toEqual(["ana", "d4", "zé"]);
  });

  test("a complete /who replaces what was known; a cut-short one adds to it", () => {
    const m = heard(en.welcome("ana", 2, ["ghost", "ana"]), en.who(2, ["ana", "bob"]));
    expect(m.names()).toEqual(["ana", "bob"]);
    const crowd = Array.from({ length: 60 }, (_, i) => `u${String(i).padStart(2, "0")}`);
    m.hear(en.who(60, crowd));
    expect(m.names()).toHaveLength(52);
    expect(m.names()).toContain("bob");
  });

  test("whoever speaks is in the room; the server writes that name", () => {
    const m = heard(en.welcome("ana", 30, ["ana"]), chat("eve", "hi"), action("fab", "waves"));
    m.hear(en.privateFrom("gil", "psst"));
    expect(m.names()).toEqual(["ana", "eve", "fab", "gil"]);
  });

  test("a new welcome (a reconnection) starts over", () => {
    const m = heard(en.welcome("ana", 2, ["bob", "ana"]), en.welcome("ana", 1, ["ana"]));
    expect(m.names()).toEqual(["ana"]);
  });

  test("nothing a user writes adds or removes anyone", () => {
    const m = heard(
      en.welcome("ana", 2, ["bob", "ana"]),
      chat("bob", en.left("ana")),
      action("bob", "joined"),
      en.history("10:00", chat("zed", "old times")),
      en.history("10:00", en.joined("yan")),
    );
    expect(m.names()).toEqual(["ana", "bob"]);
  });
});
