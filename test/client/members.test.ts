import { describe, expect, test } from "bun:test";
import { read } from "../../src/client/core/meaning.ts";
import { Members } from "../../src/client/core/members.ts";
import { SERVER_TEXT } from "../../src/protocol/messages.ts";
import { v2 } from "./v2.ts";

const en = v2("en");
const pt = v2("pt");

function heard(...lines: string[]): Members {
  const members = new Members();
  for (const line of lines) members.hear(read(line));
  return members;
}

describe("who the client knows is in the room", () => {
  test("the welcome's list, then joins, leaves and renames", () => {
    const m = heard(
      en.welcome("ana", ["bob", "Carla", "ana"], "t", 0),
      en.notice("joined", ["dora"], 1),
      en.notice("left", ["bob", "lunch"], 2),
      en.notice("renamed", ["Carla", "carlota"], 3),
    );
    expect(m.names()).toEqual(["ana", "carlota", "dora"]);
  });

  test("kicks, bans and the too-slow and not-reading leaves remove; in Portuguese too", () => {
    const m = heard(
      pt.welcome("ana", ["a1", "b2", "c3", "d4", "e5", "ana"], "t", 0),
      pt.notice("kicked", ["a1", "prof", "chega"], 1),
      pt.notice("banned", ["b2", "prof"], 2),
      pt.notice("leftTooSlow", ["c3"], 3),
      pt.notice("leftNotReading", ["e5"], 4),
      pt.notice("joined", ["zé"], 5),
    );
    expect(m.names()).toEqual(["ana", "d4", "zé"]);
  });

  test("a complete /who replaces what was known; a cut-short one adds to it", () => {
    const m = heard(
      en.welcome("ana", ["ghost", "ana"], "t", 0),
      en.reply("who", [2, ["ana", "bob"]]),
    );
    expect(m.names()).toEqual(["ana", "bob"]);
    const crowd = Array.from({ length: 60 }, (_, i) => `u${String(i).padStart(2, "0")}`);
    m.hear(read(en.reply("who", [60, crowd.slice(0, 50)])));
    expect(m.names()).toHaveLength(52);
    expect(m.names()).toContain("bob");
  });

  test("a member away is listed as NAME (away): still a member, by its name", () => {
    const m = heard(
      en.welcome("ana", ["ana"], "t", 0),
      en.reply("who", [2, ["ana", "bob (away)"]]),
    );
    expect(m.names()).toEqual(["ana", "bob"]);
  });

  test("whoever speaks is in the room; the server writes that name", () => {
    const m = heard(
      en.welcome("ana", ["ana"], "t", 0),
      en.chat("eve", "hi", 1),
      en.action("fab", "waves", 2),
      en.reply("privateFrom", ["gil", "psst"]),
      en.history("hal", "long ago", 0),
    );
    expect(m.names()).toEqual(["ana", "eve", "fab", "gil", "hal"]);
  });

  test("a new welcome (a rejoin) starts over", () => {
    const m = heard(en.welcome("ana", ["bob", "ana"], "t", 0), en.welcome("ana", ["ana"], "u", 5));
    expect(m.names()).toEqual(["ana"]);
  });

  test("nothing a user writes adds or removes anyone, whatever its words", () => {
    const t = SERVER_TEXT.en;
    const m = heard(
      en.welcome("ana", ["bob", "ana"], "t", 0),
      en.chat("bob", t.left("ana"), 1),
      en.action("bob", "joined", 2),
      t.joined("yan"),
      t.who(1, ["zed"]),
    );
    expect(m.names()).toEqual(["ana", "bob"]);
  });
});

describe("operators", () => {
  test("/who's @ and an op line mark operators; names stay plain for Tab, shown with @ for the list", () => {
    const m = heard(
      en.reply("who", [3, ["@prof", "bea", "cy"]]),
      "@kind=chat;from=cy;op= <cy> now an operator too",
    );
    expect(m.names()).toEqual(["bea", "cy", "prof"]);
    expect(m.shown()).toEqual(["bea", "@cy", "@prof"]);
    m.hear(read(en.notice("left", ["prof"], 5)));
    expect(m.shown()).toEqual(["bea", "@cy"]);
  });
});
