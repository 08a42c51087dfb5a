import { describe, expect, test } from "bun:test";
import { EXIT, exitCode } from "../../src/client/outcome.ts";
import {
  abandon,
  askName,
  closed,
  initialState,
  receive,
  type SessionState,
  sending,
} from "../../src/client/state.ts";
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
      { kind: "rejected", reason: "name taken: ana" },
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
    expect(closed(state)).toEqual({ kind: "refused", reason: "server full" });
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

  test("the greeting is a notice, not an action", () => {
    const state = initialState();
    expect(kinds(state, action("bob", "welcome to papo!"))).toEqual(["line"]);
    expect(state.phase).toBe("greeting");
  });
});
