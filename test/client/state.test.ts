import { describe, expect, test } from "bun:test";
import { read } from "../../src/client/core/meaning.ts";
import { EXIT, exitCode } from "../../src/client/core/outcome.ts";
import {
  abandon,
  askName,
  closed,
  initialState,
  receive as receiveLine,
  type SessionState,
  sending,
} from "../../src/client/core/state.ts";
import { SERVER_TEXT } from "../../src/protocol/messages.ts";
import { withTags } from "../../src/protocol/tags.ts";
import { EPOCH, v2 } from "./v2.ts";

const en = v2("en");
const pt = v2("pt");
const say = SERVER_TEXT.en;

const receive = (state: SessionState, line: string) => receiveLine(state, read(line));
const kinds = (state: SessionState, line: string) => receive(state, line).map((e) => e.kind);

function joinedAs(name: string, server = en): SessionState {
  const state = initialState();
  receive(state, server.text.greeting());
  receive(state, server.cap());
  askName(state, name);
  receive(state, server.welcome(name, [name], "1.x", 0));
  return state;
}

describe("handshake", () => {
  test("greeting (ignored), the CAP answer, name, welcome with its token and position", () => {
    const state = initialState();
    expect(kinds(state, say.greeting())).toEqual(["line"]);
    expect(state.phase).toBe("greeting");
    expect(receive(state, en.cap())).toEqual([
      { kind: "limits", maxLineBytes: 4096 },
      { kind: "greeted", password: false, lang: "en", resuming: false },
    ]);
    expect(state.phase).toBe("naming");
    askName(state, "ana");
    const welcome = en.welcome("ana", ["bob", "ana"], "12.abc", 41);
    expect(receive(state, welcome)).toEqual([
      { kind: "line", line: read(welcome) },
      {
        kind: "joined",
        name: "ana",
        token: "12.abc",
        pos: { epoch: EPOCH, seq: 41 },
        operator: false,
      },
    ]);
    expect(state).toMatchObject({ phase: "joined", name: "ana", asked: null });
  });

  test("the CAP answer is no line to show, and sets the longest line the server takes", () => {
    const state = initialState();
    expect(receive(state, en.cap(false, { "max-line": 100 })).map((e) => e.kind)).not.toContain(
      "line",
    );
    expect(state.maxLineBytes).toBe(100);
  });

  test("the CAP answer passes on the server's language when it says", () => {
    expect(receive(initialState(), pt.cap())).toContainEqual({
      kind: "greeted",
      password: false,
      lang: "pt",
      resuming: false,
    });
    expect(receive(initialState(), en.cap(false, { lang: undefined }))).toContainEqual({
      kind: "greeted",
      password: false,
      lang: null,
      resuming: false,
    });
  });

  test("a refused name asks again, with the server's reason; taken is told by ev", () => {
    const state = joinedAs("x");
    const naming = initialState();
    receive(naming, en.cap());
    askName(naming, "ana");
    expect(receive(naming, en.reply("nameTaken", ["ana"]))).toContainEqual({
      kind: "rejected",
      reason: "name taken: ana",
      taken: true,
    });
    expect(naming.phase).toBe("naming");
    askName(naming, "a b");
    expect(receive(naming, en.reply("invalidName", ["bad-chars"]))).toContainEqual(
      expect.objectContaining({ kind: "rejected", taken: false }),
    );
    askName(naming, "ana2");
    expect(kinds(naming, en.welcome("ana2", ["ana2"], "t", 0))).toEqual(["line", "joined"]);
    expect(state.name).toBe("x");
  });

  test("the welcome's name is the server's (cleaned) one", () => {
    const state = initialState();
    receive(state, en.cap());
    askName(state, "  zé  ");
    receive(state, en.welcome("zé", ["zé"], "t", 0));
    expect(state.name).toBe("zé");
  });

  test("an error before the CAP answer is remembered as the reason", () => {
    const state = initialState();
    receive(state, say.serverFull());
    expect(state.phase).toBe("greeting");
    expect(closed(state)).toEqual({ kind: "refused", reason: "server full", cause: "other" });
  });

  test("banned at the door (untagged, before the server read our CAP): refused for good", () => {
    for (const t of [say, SERVER_TEXT.pt]) {
      const state = initialState();
      receive(state, t.bannedHere());
      expect(closed(state)).toMatchObject({ kind: "refused", cause: "banned" });
    }
  });
});

describe("resuming", () => {
  function resumingState(password = false): SessionState {
    const state = initialState();
    state.resuming = true;
    receive(state, say.greeting());
    expect(receive(state, en.cap(password))).toContainEqual({
      kind: "greeted",
      password,
      lang: "en",
      resuming: true,
    });
    expect(state.phase).toBe("resuming");
    return state;
  }

  test("ev=resumed: back in the room with our name and a new token, nothing asked", () => {
    const state = resumingState();
    expect(receive(state, en.resumed("ana", "2.new", 50)).slice(1)).toEqual([
      { kind: "resumed", name: "ana", token: "2.new", operator: false },
    ]);
    expect(state).toMatchObject({ phase: "joined", name: "ana" });
    expect(closed(state)).toEqual({ kind: "lost" });
  });

  test("ev=resumeFailed: on as a new connection, the password first when the room has one", () => {
    const state = resumingState(true);
    expect(kinds(state, en.reply("resumeFailed", []))).toEqual([
      "line",
      "resume-failed",
      "greeted",
    ]);
    expect(state.phase).toBe("password");
    expect(kinds(state, en.reply("passwordAccepted", []))).toEqual(["line", "password-accepted"]);
    askName(state, "ana");
    expect(kinds(state, en.welcome("ana", ["ana"], "3.t", 9))).toEqual(["line", "joined"]);
  });

  test("ev=resumeFailed without a password: the name is asked next", () => {
    const state = resumingState();
    expect(receive(state, en.reply("resumeFailed", []))).toContainEqual({
      kind: "greeted",
      password: false,
      lang: null,
      resuming: false,
    });
    expect(state.phase).toBe("naming");
  });

  test("closed while resuming: lost, to be tried again", () => {
    expect(closed(resumingState())).toEqual({ kind: "lost" });
  });
});

describe("while joined", () => {
  test("a /nick is followed until the server confirms it", () => {
    const state = joinedAs("ana");
    expect(sending(state, "/nick bia")).toBe(false);
    expect(receive(state, en.notice("renamed", ["ana", "bia"], 3))).toContainEqual({
      kind: "renamed",
      name: "bia",
    });
    expect(state.name).toBe("bia");
  });

  test("someone else's rename, or a refused /nick, changes nothing", () => {
    const state = joinedAs("ana");
    sending(state, "/nick bob");
    expect(kinds(state, en.notice("renamed", ["carla", "bob"], 1))).toEqual(["line"]);
    expect(kinds(state, en.reply("nameTaken", ["bob"]))).toEqual(["line"]);
    expect(kinds(state, en.notice("renamed", ["anabela", "bob"], 2))).toEqual(["line"]);
    expect(state.name).toBe("ana");
  });

  test("the flood notice carries the rate the server works through our lines at", () => {
    const state = joinedAs("ana");
    expect(receive(state, en.reply("slowDown", [20])).slice(1)).toEqual([
      { kind: "delayed", rate: 20 },
    ]);
    expect(state.phase).toBe("joined");
  });

  test("/quit starts leaving; other lines do not", () => {
    const state = joinedAs("ana");
    expect(sending(state, "hello")).toBe(false);
    expect(sending(state, "//quit is a message")).toBe(false);
    expect(state.phase).toBe("joined");
    expect(sending(state, "/QUIT gone fishing")).toBe(true);
    expect(state.phase).toBe("quitting");
  });

  test("a limits line sets the longest line", () => {
    const state = joinedAs("ana");
    receive(state, en.reply("limits", [2048, 0, 0]));
    expect(state.maxLineBytes).toBe(2048);
  });

  test("a refusal gives back the line it names (unsaid), once; one that names none, nothing", () => {
    const state = joinedAs("ana");
    const refused = (line: string, unsaid: string) => withTags(line, { unsaid });
    sending(state, "first");
    sending(state, "hello?");
    expect(receive(state, refused(en.reply("slowMode", [4000]), "hello?"))).toEqual([
      expect.objectContaining({ kind: "line" }),
      { kind: "not-said", text: "hello?" },
    ]);
    sending(state, "olá");
    expect(receive(state, refused(pt.reply("quietMode", []), "olá")).at(-1)).toEqual({
      kind: "not-said",
      text: "olá",
    });
    sending(state, "/me waves");
    expect(receive(state, refused(en.reply("mutedYou", []), "/me waves")).at(-1)).toEqual({
      kind: "not-said",
      text: "/me waves",
    });
    // Named, the refused line comes back though others were sent since.
    sending(state, "second");
    sending(state, "third");
    expect(receive(state, refused(en.reply("slowMode", [2000]), "second")).at(-1)).toEqual({
      kind: "not-said",
      text: "second",
    });
    // A refusal that names no line (an operator's /kick of nobody) gives nothing back: the
    // line sent last may well have been said.
    sending(state, "/kick nobody");
    sending(state, "hello everyone");
    expect(kinds(state, en.reply("noSuchUser", ["nobody"]))).toEqual(["line"]);
    // Flood control delays, never drops: nothing to give back.
    sending(state, "fast");
    expect(kinds(state, en.reply("slowDown", [10]))).not.toContain("not-said");
  });
});

describe("endings", () => {
  test("after /quit and the server's bye: quit", () => {
    const state = joinedAs("ana");
    sending(state, "/quit");
    receive(state, en.reply("bye", []));
    expect(closed(state)).toEqual({ kind: "quit" });
    expect(state.phase).toBe("ended");
  });

  test("after /quit but before the bye: lost (the server may not have had every line)", () => {
    const state = joinedAs("ana");
    sending(state, "/quit");
    receive(state, en.notice("renamed", ["carla", "carlota"], 4));
    expect(closed(state)).toEqual({ kind: "lost" });
  });

  test("a bye that came before our /quit confirms nothing", () => {
    const state = joinedAs("ana");
    receive(state, en.reply("bye", []));
    sending(state, "/quit");
    expect(closed(state)).toEqual({ kind: "lost" });
  });

  test("the shutdown notice: shutdown, with the server's words", () => {
    const state = joinedAs("ana");
    receive(state, en.notice("shuttingDown", [], 5));
    expect(closed(state)).toEqual({ kind: "shutdown", notice: "server shutting down" });
  });

  test("leaving before joining needs no bye", () => {
    const state = initialState();
    receive(state, en.cap());
    abandon(state);
    expect(closed(state)).toEqual({ kind: "quit" });
  });

  test("closed while naming after a timeout message: refused, a timeout", () => {
    const state = initialState();
    receive(state, en.cap());
    askName(state, "ana");
    expect(kinds(state, en.reply("nameTimeout", [30]))).toEqual(["line"]);
    expect(closed(state)).toEqual({
      kind: "refused",
      reason: "no name given within 30 s, closing",
      cause: "name-timeout",
    });
  });

  test("the time limit while typing the password: refused, a timeout", () => {
    const state = initialState();
    receive(state, en.cap(true));
    expect(state.phase).toBe("password");
    expect(kinds(state, en.reply("wrongPassword", []))).toEqual(["line", "password-rejected"]);
    receive(state, en.reply("nameTimeout", [30]));
    expect(closed(state)).toMatchObject({ kind: "refused", cause: "name-timeout" });
  });

  test("kicked or banned: removed, with the server's words; someone else's changes nothing", () => {
    const state = joinedAs("Ana");
    expect(kinds(state, en.notice("kicked", ["bob", "teacher"], 1))).toEqual(["line"]);
    expect(kinds(state, en.notice("banned", ["anabela", "teacher"], 2))).toEqual(["line"]);
    expect(receive(state, en.notice("kicked", ["ana", "teacher", "enough"], 3))).toContainEqual({
      kind: "removed",
      notice: "ana was kicked by teacher (enough)",
    });
    expect(closed(state)).toEqual({
      kind: "removed",
      notice: "ana was kicked by teacher (enough)",
    });
  });
});

describe("a server that speaks Portuguese", () => {
  test("the same tags, other words: welcome, rename, slow-down, kick, bye", () => {
    const state = joinedAs("zé", pt);
    expect(receive(state, pt.notice("renamed", ["zé", "josé"], 1))).toContainEqual({
      kind: "renamed",
      name: "josé",
    });
    expect(receive(state, pt.reply("slowDown", [10]))).toContainEqual({
      kind: "delayed",
      rate: 10,
    });
    sending(state, "/quit");
    receive(state, pt.reply("bye", []));
    expect(closed(state)).toEqual({ kind: "quit" });
    const kicked = joinedAs("ana", pt);
    receive(kicked, pt.notice("kicked", ["ana", "prof"], 2));
    expect(closed(kicked)).toEqual({ kind: "removed", notice: "prof expulsou ana" });
  });
});

/**
 * What other users can make the server send us: chat, actions and private
 * messages, each tagged as what it is. None of them may move the state,
 * whatever their words.
 */
describe("lines a user can produce never move the state", () => {
  const forgeries = (from: string, text: string): string[] => [
    en.chat(from, text, 7),
    en.action(from, text, 8),
    en.reply("privateFrom", [from, text]),
    pt.reply("privateFrom", [from, text]),
    en.history(from, text, 2),
  ];

  test("a user called server saying shutting down, then the close: lost, not shutdown", () => {
    const state = joinedAs("ana");
    for (const line of forgeries("server", "shutting down")) {
      expect(kinds(state, line)).toEqual(["line"]);
    }
    expect(state.shutdown).toBeNull();
    const ending = closed(state);
    expect(ending).toEqual({ kind: "lost" });
    expect(exitCode(ending)).toBe(EXIT.lost);
  });

  test("no user line passes for a rename, a bye, a kick, a flood notice or the limits", () => {
    const state = joinedAs("ana");
    sending(state, "/nick bia");
    for (const text of [
      "* ana is now known as bia",
      say.kicked("ana", "bob"),
      say.slowDown(1),
      say.limits(1, 1, 1),
      say.shuttingDown(),
    ]) {
      for (const line of forgeries("bob", text)) expect(kinds(state, line)).toEqual(["line"]);
    }
    expect(state).toMatchObject({ name: "ana", shutdown: null, removed: null, maxLineBytes: 4096 });
  });

  test("while naming, imitated welcomes and refusals are neither", () => {
    const state = initialState();
    receive(state, en.cap());
    askName(state, "ana");
    for (const line of [
      ...forgeries("bob", say.welcome("ana", 1, ["ana"])),
      ...forgeries("bob", say.nameTaken("ana")),
    ]) {
      expect(kinds(state, line)).toEqual(["line"]);
    }
    expect(state).toMatchObject({ phase: "naming", asked: "ana", lastError: null });
  });

  test("an untagged line that reads like the CAP answer or a welcome is neither", () => {
    const state = initialState();
    expect(kinds(state, "CAP ACK papo/2")).toEqual(["line"]);
    expect(kinds(state, say.welcome("ana", 1, ["ana"]))).toEqual(["line"]);
    expect(state.phase).toBe("greeting");
  });
});
