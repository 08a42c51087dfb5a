import { describe, expect, test } from "bun:test";
import {
  askName,
  closed,
  initialState,
  receive,
  type SessionState,
  sending,
} from "../../src/client/state.ts";
import { server as say } from "../../src/protocol/messages.ts";

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
    expect(kinds(state, say.renamed("ana", "bob"))).toEqual(["line"]);
    expect(state.name).toBe("ana");
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
  test("after /quit: quit", () => {
    const state = joinedAs("ana");
    sending(state, "/quit");
    receive(state, say.bye());
    expect(closed(state)).toEqual({ kind: "quit" });
    expect(state.phase).toBe("ended");
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
