import { describe, expect, test } from "bun:test";
import { author, hear } from "../../src/client/core/heard.ts";
import { LANGS } from "../../src/protocol/lang.ts";
import { action, chat, SERVER_TEXT } from "../../src/protocol/messages.ts";

const many = (n: number) => Array.from({ length: n }, (_, i) => `user${i + 1}`);

describe("the server's lines, in every language, from its own tables", () => {
  for (const lang of LANGS) {
    const t = SERVER_TEXT[lang];

    test(`${lang}: greetings, password answers, bye, shutdown, language`, () => {
      expect(hear(t.greeting())).toEqual({ kind: "greeting", lang, password: false });
      expect(hear(t.greetingPassword())).toEqual({ kind: "greeting", lang, password: true });
      expect(hear(t.passwordAccepted())).toEqual({ kind: "password-accepted" });
      expect(hear(t.wrongPassword())).toEqual({ kind: "wrong-password" });
      expect(hear(t.bye())).toEqual({ kind: "bye" });
      expect(hear(t.shuttingDown())).toEqual({ kind: "shutdown" });
      expect(hear(t.language())).toEqual({ kind: "language", lang });
      expect(hear(t.bannedHere())).toEqual({ kind: "banned-here" });
    });

    test(`${lang}: the welcome, with its names, whole or cut short`, () => {
      expect(hear(t.welcome("zé", 3, ["ana", "bob", "zé"]))).toEqual({
        kind: "welcome",
        name: "zé",
        names: ["ana", "bob", "zé"],
        complete: true,
      });
      const crowd = many(25);
      expect(hear(t.welcome("user25", 25, crowd))).toEqual({
        kind: "welcome",
        name: "user25",
        names: crowd.slice(0, 20),
        complete: false,
      });
    });

    test(`${lang}: /who, whole or cut short`, () => {
      expect(hear(t.who(2, ["ana", "bob"]))).toEqual({
        kind: "who",
        names: ["ana", "bob"],
        complete: true,
      });
      expect(hear(t.who(60, many(60)))).toEqual({
        kind: "who",
        names: many(50),
        complete: false,
      });
    });

    test(`${lang}: limits, history, joins, leaves, kicks, bans, renames`, () => {
      expect(hear(t.limits(4096, 10, 20))).toEqual({ kind: "limits", maxLineBytes: 4096 });
      expect(hear(t.limits(512, 0.5, 3))).toEqual({ kind: "limits", maxLineBytes: 512 });
      expect(hear(t.limits(100, 0, 0))).toEqual({ kind: "limits", maxLineBytes: 100 });
      expect(hear(t.history("09:05", "<ana> hi (there)"))).toEqual({
        kind: "history",
        time: "09:05",
        line: "<ana> hi (there)",
      });
      expect(hear(t.joined("ana"))).toEqual({ kind: "joined", name: "ana" });
      expect(hear(t.left("ana"))).toEqual({ kind: "left", name: "ana" });
      expect(hear(t.left("ana", "lunch (late)"))).toEqual({ kind: "left", name: "ana" });
      expect(hear(t.leftTooSlow("ana"))).toEqual({ kind: "left", name: "ana" });
      expect(hear(t.kicked("ana", "prof"))).toEqual({ kind: "removed", name: "ana", by: "prof" });
      expect(hear(t.kicked("ana", "prof", "spam"))).toEqual({
        kind: "removed",
        name: "ana",
        by: "prof",
      });
      expect(hear(t.banned("ana", "prof"))).toEqual({ kind: "removed", name: "ana", by: "prof" });
      expect(hear(t.renamed("ana", "ana.b"))).toEqual({
        kind: "renamed",
        from: "ana",
        to: "ana.b",
      });
    });

    test(`${lang}: private lines, slow-down, refusals`, () => {
      expect(hear(t.privateFrom("bob", "psst [x]"))).toMatchObject({
        kind: "private-from",
        name: "bob",
        text: "psst [x]",
      });
      expect(hear(t.privateTo("bob", "psst"))).toMatchObject({
        kind: "private-to",
        name: "bob",
        text: "psst",
      });
      expect(hear(t.slowDown(10))).toEqual({ kind: "slow-down", rate: 10 });
      expect(hear(t.slowDown(2.5))).toEqual({ kind: "slow-down", rate: 2.5 });
      expect(hear(t.nameTaken("Ana"))).toEqual({ kind: "name-taken" });
      expect(hear(t.nameTimeout(30))).toEqual({ kind: "name-timeout" });
    });
  }

  test("names in Unicode", () => {
    expect(hear(SERVER_TEXT.en.joined("名前"))).toEqual({ kind: "joined", name: "名前" });
    expect(hear(SERVER_TEXT.pt.renamed("josé", "zé_1"))).toEqual({
      kind: "renamed",
      from: "josé",
      to: "zé_1",
    });
  });
});

describe("what people can write is never the server's", () => {
  const forgeries = (text: string) => [
    chat("bob", text),
    action("bob", text),
    `* <${text}`,
    SERVER_TEXT.en.privateFrom("bob", text),
  ];

  test("chat and actions that quote any server line are heard as nothing but their own shape", () => {
    for (const t of [SERVER_TEXT.en, SERVER_TEXT.pt]) {
      for (const line of [
        t.shuttingDown(),
        t.bye(),
        t.kicked("ana", "bob"),
        t.joined("x"),
        t.welcome("ana", 1, ["ana"]),
        t.limits(1, 1, 1),
      ]) {
        for (const forged of forgeries(line)) {
          const heard = hear(forged);
          expect(heard === null || heard.kind === "private-from").toBe(true);
        }
      }
    }
  });

  test("a topic that reads like a notice is no notice", () => {
    const t = SERVER_TEXT.en;
    expect(hear(t.topic("ana joined"))).toBeNull();
    expect(hear(t.topicSet("op", "bob left"))).toBeNull();
  });
});

describe("author", () => {
  test("is the name the server put before a chat line or an action", () => {
    expect(author("<ana> hi")).toBe("ana");
    expect(author("* <zé> waves")).toBe("zé");
    expect(author("* ana joined")).toBeNull();
    expect(author("[private] <bob> x")).toBeNull();
    expect(author("[history 10:00] <bob> x")).toBeNull();
  });
});
