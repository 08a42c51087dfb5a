import { describe, expect, test } from "bun:test";
import { CAP_LINE, read, resumeLine } from "../../src/client/core/meaning.ts";
import { SERVER_TEXT } from "../../src/protocol/messages.ts";
import { EPOCH, v2 } from "./v2.ts";

const en = v2("en");
const pt = v2("pt");

describe("reading a tagged line", () => {
  test("the text is the v1 line; the tags say what it is", () => {
    const line = read(en.chat("ana", "hi; there", 7, "2026-12-06T11:50:00.123Z"));
    expect(line).toMatchObject({
      text: "<ana> hi; there",
      kind: "chat",
      from: "ana",
      pos: { epoch: EPOCH, seq: 7 },
      meaning: null,
    });
    expect(line.time?.toISOString()).toBe("2026-12-06T11:50:00.123Z");
  });

  test("the meaning comes from ev and args, whatever the language's words", () => {
    for (const s of [en, pt]) {
      expect(read(s.reply("nameTaken", ["ana"])).meaning).toEqual({
        kind: "name-refused",
        taken: true,
      });
      expect(read(s.notice("kicked", ["ana", "op", "why"], 1)).meaning).toEqual({
        kind: "removed",
        name: "ana",
        by: "op",
      });
      expect(read(s.reply("slowDown", [10])).meaning).toEqual({ kind: "slow-down", rate: 10 });
      expect(read(s.reply("bye", [])).meaning).toEqual({ kind: "bye" });
    }
  });

  test("the answer to /lang names the language in a tag, for the client's own words", () => {
    expect(read(pt.reply("language", [], { lang: "pt" })).meaning).toEqual({
      kind: "language",
      lang: "pt",
    });
    expect(read(en.reply("language", [])).meaning).toEqual({ kind: "language", lang: null });
  });

  test("the welcome: name, list (complete or not), token and position", () => {
    expect(read(en.welcome("ana", ["bob", "ana"], "9.s3cret", 41)).meaning).toEqual({
      kind: "welcome",
      name: "ana",
      names: ["bob", "ana"],
      complete: true,
      token: "9.s3cret",
      pos: { epoch: EPOCH, seq: 41 },
      operator: false,
    });
    expect(read(en.welcome("prof", ["prof"], "9.s3cret", 41, true)).meaning).toMatchObject({
      kind: "welcome",
      operator: true,
    });
    expect(read(en.resumed("prof", "9.n3w", 41, true)).meaning).toMatchObject({
      kind: "resumed",
      operator: true,
    });
    expect(read(en.reply("nowOperator", [])).meaning).toEqual({ kind: "operator" });
    const cut = read(en.reply("welcome", ["ana", 30, ["ana"]])).meaning;
    expect(cut).toMatchObject({ kind: "welcome", complete: false, token: null, pos: null });
  });

  test("the CAP answer: password first or not, the longest line", () => {
    expect(read(en.cap(true)).meaning).toEqual({
      kind: "cap",
      password: true,
      maxLineBytes: 4096,
      lang: "en",
    });
  });

  test("bad args or an unknown ev mean nothing, and break nothing", () => {
    expect(read("@kind=reply;ev=joined;args=[nope * x").meaning).toEqual({
      kind: "joined",
      name: "",
    });
    expect(read("@kind=reply;ev=whatever;args=[] * x").meaning).toBeNull();
    expect(read("@kind=chat;pos=zz.1 <a> b").pos).toBeNull();
    expect(read("@kind=chat;time=yesterday <a> b").time).toBeNull();
  });

  test("an untagged line means nothing, but a ban at the door", () => {
    expect(read(SERVER_TEXT.en.greeting()).meaning).toBeNull();
    expect(read(SERVER_TEXT.en.serverFull()).meaning).toBeNull();
    expect(read(SERVER_TEXT.pt.bannedHere()).meaning).toEqual({ kind: "banned-here" });
    expect(read("<bob> you are banned from this room").meaning).toBeNull();
  });

  test("control characters never reach the text, a name or an argument", () => {
    const line = read(en.reply("privateFrom", ["bo\x07b", "a\x07b"]));
    expect(line.meaning).toEqual({ kind: "private-from", name: "bob", text: "ab" });
  });
});

describe("the client's own lines", () => {
  test("CAP, then RESUME with the last position shown, or - for none", () => {
    expect(CAP_LINE).toBe("CAP papo/2");
    expect(resumeLine("1.abc", { epoch: EPOCH, seq: 9 })).toBe(`RESUME 1.abc ${EPOCH}.9`);
    expect(resumeLine("1.abc", null)).toBe("RESUME 1.abc -");
  });
});
