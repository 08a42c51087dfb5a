import { describe, expect, test } from "bun:test";
import { EXIT, exitCode } from "../../src/client/core/outcome.ts";
import {
  abandon,
  askName,
  closed,
  initialState,
  receive,
  type SessionState,
  sending,
} from "../../src/client/core/state.ts";
import { action, chat, SERVER_TEXT } from "../../src/protocol/messages.ts";

const say = SERVER_TEXT.en;

const kinds = (state: SessionState, line: string) => receive(state, line).map((e) => e.kind);

function joinedAs(name: string): SessionState {
  const state = initialState();
  receive(state, say.greeting());
  askName(state, name);
  receive(state, say.welcome(name, 1, [name]));
  return state;
}

describe("handshake", () => {
  test("greeting, name, welcome", () => {
    const state = initialState();
    expect(kinds(state, say.greeting())).toEqual(["line", "greeted"]);
    expect(state.phase).toBe("naming");
    askName(state, "ana");
    expect(receive(state, say.welcome("ana", 2, ["bob", "ana"]))).toEqual([
      { kind: "line", line: say.welcome("ana", 2, ["bob", "ana"]) },
      { kind: "joined", name: "ana" },
    ]);
    expect(state).toMatchObject({ phase: "joined", name: "ana", asked: null });
  });

  test("every line is passed on first, exactly as it came", () => {
    const state = initialState();
    expect(receive(state, "anything at all")).toEqual([{ kind: "line", line: "anything at all" }]);
  });

  test("a refused name asks again, with the server's reason", () => {
    const state = initialState();
    receive(state, say.greeting());
    askName(state, "ana");
    expect(receive(state, say.nameTaken("ana"))).toEqual([
      { kind: "line", line: "! name taken: ana" },
      { kind: "rejected", reason: "name taken: ana", taken: true },
    ]);
    expect(state.phase).toBe("naming");
    askName(state, "ana2");
    expect(kinds(state, say.welcome("ana2", 1, ["ana2"]))).toEqual(["line", "joined"]);
  });

  test("the welcome's name is the server's (cleaned) one", () => {
    const state = initialState();
    receive(state, say.greeting());
    askName(state, "  zé  ");
    receive(state, say.welcome("zé", 1, ["zé"]));
    expect(state.name).toBe("zé");
  });

  test("an error before the greeting is remembered as the reason", () => {
    const state = initialState();
    receive(state, say.serverFull());
    expect(state.phase).toBe("greeting");
    expect(closed(state)).toEqual({ kind: "refused", reason: "server full", cause: "other" });
  });
});

describe("while joined", () => {
  test("a /nick is followed until the server confirms it", () => {
    const state = joinedAs("ana");
    expect(sending(state, "/nick bia")).toBe(false);
    expect(receive(state, say.renamed("ana", "bia"))).toContainEqual({
      kind: "renamed",
      name: "bia",
    });
    expect(state.name).toBe("bia");
  });

  test("someone else's rename, or a refused /nick, changes nothing", () => {
    const state = joinedAs("ana");
    sending(state, "/nick bob");
    expect(kinds(state, say.renamed("carla", "bob"))).toEqual(["line"]);
    expect(kinds(state, say.nameTaken("bob"))).toEqual(["line"]);
    expect(kinds(state, say.renamed("anabela", "bob"))).toEqual(["line"]);
    expect(state.name).toBe("ana");
  });

  test("a rename delayed by flood control, or after an unrelated error, is still ours", () => {
    const state = joinedAs("ana");
    sending(state, "/msg nobody hi");
    sending(state, "/nick bia");
    expect(kinds(state, say.noSuchUser("nobody"))).toEqual(["line"]);
    expect(kinds(state, say.slowDown(10))).toEqual(["line", "delayed"]);
    expect(kinds(state, say.renamed("ana", "bia"))).toEqual(["line", "renamed"]);
    expect(state.name).toBe("bia");
  });

  test("the flood notice carries the rate the server works through our lines at", () => {
    const state = joinedAs("ana");
    expect(receive(state, say.slowDown(20))).toEqual([
      { kind: "line", line: say.slowDown(20) },
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
});

describe("endings", () => {
  test("after /quit and the server's bye: quit", () => {
    const state = joinedAs("ana");
    sending(state, "/quit");
    receive(state, say.bye());
    expect(closed(state)).toEqual({ kind: "quit" });
    expect(state.phase).toBe("ended");
  });

  test("after /quit but before the bye: lost (the server may not have had every line)", () => {
    const state = joinedAs("ana");
    sending(state, "/quit");
    receive(state, say.renamed("carla", "carlota"));
    expect(closed(state)).toEqual({ kind: "lost" });
  });

  test("a bye that came before our /quit confirms nothing", () => {
    const state = joinedAs("ana");
    receive(state, say.bye());
    sending(state, "/quit");
    expect(closed(state)).toEqual({ kind: "lost" });
  });

  test("the shutdown notice while waiting for the bye: shutdown", () => {
    const state = joinedAs("ana");
    sending(state, "/quit");
    receive(state, say.shuttingDown());
    expect(closed(state)).toEqual({ kind: "shutdown", notice: "server shutting down" });
  });

  test("leaving before joining needs no bye", () => {
    const state = initialState();
    receive(state, say.greeting());
    abandon(state);
    expect(closed(state)).toEqual({ kind: "quit" });
  });

  test("closed while joined: lost", () => {
    expect(closed(joinedAs("ana"))).toEqual({ kind: "lost" });
  });

  test("closed after the shutdown notice: shutdown, with the server's words", () => {
    const state = joinedAs("ana");
    receive(state, say.shuttingDown());
    expect(closed(state)).toEqual({ kind: "shutdown", notice: "server shutting down" });
  });

  test("shutdown while still choosing a name", () => {
    const state = initialState();
    receive(state, say.greeting());
    receive(state, say.shuttingDown());
    expect(closed(state)).toEqual({ kind: "shutdown", notice: "server shutting down" });
  });

  test("a chat line that quotes the notice is not a shutdown", () => {
    const state = joinedAs("ana");
    receive(state, "<bob> * server shutting down");
    expect(closed(state)).toEqual({ kind: "lost" });
  });

  test("closed while naming after a timeout message: refused with the reason", () => {
    const state = initialState();
    receive(state, say.greeting());
    receive(state, say.nameTimeout(30));
    expect(closed(state)).toEqual({
      kind: "refused",
      reason: "no name given within 30 s, closing",
      cause: "name-timeout",
    });
  });

  test("a name timeout just as a name is sent is no verdict on the name", () => {
    const state = initialState();
    receive(state, say.greeting());
    askName(state, "ana");
    expect(kinds(state, say.nameTimeout(30))).toEqual(["line"]);
    expect(closed(state)).toMatchObject({ kind: "refused", cause: "name-timeout" });
  });

  test("banned before the greeting: refused for good", () => {
    const state = initialState();
    receive(state, say.bannedHere());
    expect(closed(state)).toEqual({
      kind: "refused",
      reason: "you are banned from this room",
      cause: "banned",
    });
  });

  test("kicked: removed, with the server's words, never lost", () => {
    const state = joinedAs("ana");
    expect(receive(state, say.kicked("ana", "teacher", "enough"))).toContainEqual({
      kind: "removed",
      notice: "ana was kicked by teacher (enough)",
    });
    expect(closed(state)).toEqual({
      kind: "removed",
      notice: "ana was kicked by teacher (enough)",
    });
  });

  test("banned while joined: removed; someone else's kick or ban changes nothing", () => {
    const state = joinedAs("Ana");
    expect(kinds(state, say.kicked("bob", "teacher"))).toEqual(["line"]);
    expect(kinds(state, say.banned("anabela", "teacher"))).toEqual(["line"]);
    expect(kinds(state, say.banned("ana", "teacher"))).toEqual(["line", "removed"]);
    expect(closed(state)).toMatchObject({ kind: "removed" });
  });
});

describe("the room's password", () => {
  test("a password greeting asks for it first; the answer opens the naming", () => {
    const state = initialState();
    expect(receive(state, say.greetingPassword())).toContainEqual({
      kind: "greeted",
      password: true,
      lang: "en",
    });
    expect(state.phase).toBe("password");
    expect(kinds(state, say.wrongPassword())).toEqual(["line", "password-rejected"]);
    expect(state.phase).toBe("password");
    expect(kinds(state, say.passwordAccepted())).toEqual(["line", "password-accepted"]);
    expect(state.phase).toBe("naming");
  });

  test("a plain greeting says its language, and an unknown one says none", () => {
    expect(receive(initialState(), SERVER_TEXT.pt.greeting())).toContainEqual({
      kind: "greeted",
      password: false,
      lang: "pt",
    });
    expect(receive(initialState(), "* name?")).toContainEqual({
      kind: "greeted",
      password: false,
      lang: null,
    });
  });

  test("the time limit while typing the password: refused, a timeout", () => {
    const state = initialState();
    receive(state, say.greetingPassword());
    receive(state, say.nameTimeout(30));
    expect(closed(state)).toMatchObject({ kind: "refused", cause: "name-timeout" });
  });
});

describe("the limits line", () => {
  test("sets the longest line the server takes (4096 until it comes)", () => {
    const state = joinedAs("ana");
    expect(state.maxLineBytes).toBe(4096);
    expect(receive(state, say.limits(100, 10, 20))).toContainEqual({
      kind: "limits",
      maxLineBytes: 100,
    });
    expect(state.maxLineBytes).toBe(100);
    receive(state, say.limits(2048, 0, 0));
    expect(state.maxLineBytes).toBe(2048);
    receive(state, chat("bob", say.limits(1, 1, 1)));
    expect(state.maxLineBytes).toBe(2048);
  });
});

describe("a server that speaks Portuguese", () => {
  const pt = SERVER_TEXT.pt;

  test("welcome, rename, slow-down, shutdown and bye are understood as in English", () => {
    const state = initialState();
    receive(state, pt.greeting());
    askName(state, "zé");
    expect(kinds(state, pt.welcome("zé", 2, ["ana", "zé"]))).toEqual(["line", "joined"]);
    expect(kinds(state, pt.limits(512, 10, 20))).toEqual(["line", "limits"]);
    expect(receive(state, pt.renamed("zé", "josé"))).toContainEqual({
      kind: "renamed",
      name: "josé",
    });
    expect(receive(state, pt.slowDown(10))).toContainEqual({ kind: "delayed", rate: 10 });
    sending(state, "/quit");
    receive(state, pt.bye());
    expect(closed(state)).toEqual({ kind: "quit" });
  });

  test("a refusal in Portuguese asks again, and knows a taken name", () => {
    const state = initialState();
    receive(state, pt.greeting());
    askName(state, "ana");
    expect(receive(state, pt.nameTaken("ana"))).toContainEqual({
      kind: "rejected",
      reason: "nome em uso: ana",
      taken: true,
    });
    askName(state, "a b");
    expect(receive(state, pt.invalidName("bad-chars"))).toContainEqual(
      expect.objectContaining({ kind: "rejected", taken: false }),
    );
  });

  test("its shutdown notice, and a kick in Portuguese", () => {
    const state = joinedAs("ana");
    receive(state, pt.shuttingDown());
    expect(closed(state)).toEqual({ kind: "shutdown", notice: "servidor desligando" });
    const kicked = joinedAs("ana");
    receive(kicked, pt.kicked("ana", "prof"));
    expect(closed(kicked)).toEqual({ kind: "removed", notice: "ana foi expulso por prof" });
  });

  test("a switch of language mid-session (/lang) changes nothing but the words", () => {
    const state = joinedAs("ana");
    expect(kinds(state, pt.language())).toEqual(["line"]);
    expect(receive(state, pt.renamed("ana", "bia"))).toContainEqual({
      kind: "renamed",
      name: "bia",
    });
    expect(receive(state, say.renamed("bia", "carla"))).toContainEqual({
      kind: "renamed",
      name: "carla",
    });
  });
});

/**
 * What other users can make the server send us: chat, actions and private
 * messages, each carrying the sender's name. None of them may move the state.
 */
describe("lines a user can produce never move the state", () => {
  const forgeries = (from: string, text: string): string[] => [
    chat(from, text),
    action(from, text),
    say.privateFrom(from, text),
    SERVER_TEXT.pt.privateFrom(from, text),
  ];

  test("a user called server saying /me shutting down, then the close: lost, not shutdown", () => {
    const state = joinedAs("ana");
    expect(action("server", "shutting down")).toBe("* <server> shutting down");
    for (const line of forgeries("server", "shutting down")) {
      expect(kinds(state, line)).toEqual(["line"]);
    }
    expect(state.shutdown).toBeNull();
    const ending = closed(state);
    expect(ending).toEqual({ kind: "lost" });
    expect(exitCode(ending)).toBe(EXIT.lost);
  });

  test("an action that reads like our rename does not rename us", () => {
    const state = joinedAs("ana");
    sending(state, "/nick bia");
    for (const line of [
      action("bob", "is now known as bia"),
      action("ana", "is now known as bia"),
      chat("ana", "* ana is now known as bia"),
      say.privateFrom("bob", "* ana is now known as bia"),
    ]) {
      expect(kinds(state, line)).toEqual(["line"]);
    }
    expect(state.name).toBe("ana");
  });

  test("an imitated bye does not confirm our /quit", () => {
    const state = joinedAs("ana");
    sending(state, "/quit");
    for (const line of [...forgeries("bye", ""), ...forgeries("bob", "* bye"), "* <bye>"]) {
      receive(state, line);
    }
    expect(closed(state)).toEqual({ kind: "lost" });
  });

  test("an imitated flood notice is no delay", () => {
    const state = joinedAs("ana");
    for (const line of forgeries("bob", say.slowDown(1))) {
      expect(kinds(state, line)).toEqual(["line"]);
    }
  });

  test("while naming, imitated welcomes and refusals are neither", () => {
    const state = initialState();
    receive(state, say.greeting());
    askName(state, "ana");
    for (const line of [
      ...forgeries("bob", say.welcome("ana", 1, ["ana"])),
      ...forgeries("bob", say.nameTaken("ana")),
      action("hello", "ana! 1 online: ana (type /help for commands)"),
    ]) {
      expect(kinds(state, line)).toEqual(["line"]);
    }
    expect(state).toMatchObject({ phase: "naming", asked: "ana", lastError: null });
  });

  test("no user line in either language passes for a shutdown, a bye, a kick or a rename", () => {
    for (const t of [say, SERVER_TEXT.pt]) {
      const state = joinedAs("ana");
      sending(state, "/nick bia");
      for (const line of [
        ...forgeries("bob", t.shuttingDown()),
        ...forgeries("bob", t.kicked("ana", "bob")),
        ...forgeries("ana", t.renamed("ana", "bia")),
        ...forgeries("bob", t.limits(1, 1, 1)),
        t.history("10:00", chat("bob", t.shuttingDown())),
        t.history("10:00", action("ana", t.kicked("ana", "bob").slice(2))),
      ]) {
        expect(kinds(state, line)).toEqual(["line"]);
      }
      expect(state).toMatchObject({
        name: "ana",
        shutdown: null,
        removed: null,
        maxLineBytes: 4096,
      });
    }
  });

  test("the greeting is a notice, not an action", () => {
    const state = initialState();
    expect(kinds(state, action("bob", "welcome to papo!"))).toEqual(["line"]);
    expect(state.phase).toBe("greeting");
  });
});
