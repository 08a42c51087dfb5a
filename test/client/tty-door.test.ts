/**
 * The interactive client at the door, against a stand-in server that answers
 * only when the test says (door.ts): Ctrl-C before the greeting, and what is
 * typed while the server weighs a password or a name (tmux, see tmux.ts).
 */

import { afterAll, describe, expect, test } from "bun:test";
import { SERVER_TEXT } from "../../src/protocol/messages.ts";
import { eventually } from "../support/server.ts";
import { Door } from "./door.ts";
import { SKIP_TMUX, Tmux } from "./tmux.ts";
import { v2 } from "./v2.ts";

const tmux = new Tmux();
const doors = new Set<Door>();
const say = SERVER_TEXT.en;
const en = v2("en");
const CAP = "CAP papo/2";

function door(): Door {
  const opened = new Door();
  doors.add(opened);
  return opened;
}

describe.skipIf(SKIP_TMUX)("at the door, with a server that takes its time (tmux)", () => {
  afterAll(() => {
    tmux.kill();
    for (const opened of doors) opened.stop();
  });

  test("Ctrl-C before the greeting closes the connection at once, having sent no name", async () => {
    const slow = door();
    tmux.start("early", { args: ["--port", String(slow.port), "--name", "ana"] });
    const connection = await slow.connection();
    tmux.keys("early", "C-c");
    // Before the client's own connect timeout (5 s) would close it.
    await eventually(() => connection.closed, 4000);
    expect(connection.lines).toEqual([CAP]);
    expect(await tmux.exited("early")).toBe(0);
  });

  test("lines typed while the name is checked are sent once in, in order", async () => {
    const slow = door();
    tmux.start("claim", { args: ["--port", String(slow.port), "--no-color"] });
    const connection = await slow.connection();
    connection.send(say.greeting(), en.cap());
    await tmux.waitForLast("claim", "Username:");
    tmux.type("claim", "ana");
    tmux.keys("claim", "Enter");
    expect(await connection.line(2)).toBe("ana");
    // The server claims the name everywhere, taking seconds; the person goes on typing.
    for (const line of ["hello while you wait", "/me waves"]) {
      tmux.type("claim", line);
      tmux.keys("claim", "Enter");
    }
    // Kept on screen as typed (the prompt below them is empty while the server decides).
    const typed = await tmux.waitForLast("claim", "/me waves");
    expect(typed.slice(-3)).toEqual(["Username: ana", "hello while you wait", "/me waves"]);
    expect(connection.lines).toEqual([CAP, "ana"]);
    connection.send(en.welcome("ana", ["ana"], "1.t", 0));
    expect(await connection.line(4)).toBe("/me waves");
    expect(connection.lines).toEqual([CAP, "ana", "hello while you wait", "/me waves"]);
    const shown = await tmux.waitFor("claim", (l) => l.at(-2)?.endsWith("* <ana> waves") === true);
    expect(shown.slice(-3)).toEqual([
      expect.stringMatching(/^\d\d:\d\d <ana> hello while you wait$/),
      expect.stringMatching(/^\d\d:\d\d \* <ana> waves$/),
      "ana>",
    ]);
    tmux.keys("claim", "C-c");
    expect(await connection.line(5)).toBe("/quit");
  });

  test("/quit while the name is checked leaves before the room answers", async () => {
    const slow = door();
    tmux.start("undecided", { args: ["--port", String(slow.port), "--name", "bo"] });
    const connection = await slow.connection();
    connection.send(say.greeting(), en.cap());
    expect(await connection.line(2)).toBe("bo");
    tmux.type("undecided", "/quit");
    tmux.keys("undecided", "Enter");
    await eventually(() => connection.closed, 4000);
    expect(connection.lines).toEqual([CAP, "bo"]);
    expect(await tmux.exited("undecided")).toBe(0);
  });

  test("a password typed while the last one is checked is not shown, and is the next try", async () => {
    const slow = door();
    tmux.start("penalty", { args: ["--port", String(slow.port), "--name", "pia", "--no-color"] });
    const raw = tmux.record("penalty");
    const connection = await slow.connection();
    connection.send(say.greetingPassword(), en.cap(true));
    await tmux.waitForLast("penalty", "Room password:");
    tmux.type("penalty", "wrong1");
    tmux.keys("penalty", "Enter");
    expect(await connection.line(2)).toBe("wrong1");
    await tmux.waitForLast("penalty", "Room password (checking…):");
    // The server holds its answer (a penalty for earlier wrong ones); the person types it again.
    tmux.type("penalty", "turma7b");
    tmux.keys("penalty", "Enter");
    // Taken: the prompt is drawn again (the same words, so the recording tells).
    await eventually(() => raw().split("Room password (checking").length === 3);
    expect(tmux.screen("penalty").join("\n")).not.toContain("turma7b");
    connection.send(en.reply("wrongPassword", []));
    // The next try goes by itself, without asking again.
    expect(await connection.line(3)).toBe("turma7b");
    connection.send(en.reply("passwordAccepted", []));
    expect(await connection.line(4)).toBe("pia");
    // Now the name is checked: what is typed is seen, and for the room.
    tmux.type("penalty", "oi turma");
    tmux.keys("penalty", "Enter");
    await tmux.waitForLast("penalty", "oi turma");
    connection.send(en.welcome("pia", ["pia"], "1.t", 0));
    expect(await connection.line(5)).toBe("oi turma");
    const lines = await tmux.waitForLast("penalty", "pia>");
    expect(lines.join("\n")).not.toContain("turma7b");
    expect(raw()).not.toContain("turma7b");
    // Asked for once only.
    expect(raw().split("Room password: ")).toHaveLength(2);
    tmux.keys("penalty", "C-c");
    expect(await connection.line(6)).toBe("/quit");
  });
  test("a name kept for operators asks for the operator password, without echo", async () => {
    const slow = door();
    tmux.start("kept", { args: ["--port", String(slow.port), "--name", "prof", "--no-color"] });
    const raw = tmux.record("kept");
    const connection = await slow.connection();
    connection.send(say.greeting(), en.cap());
    expect(await connection.line(2)).toBe("prof");
    connection.send(en.reply("nameReserved", ["prof"]));
    await tmux.waitForLast("kept", "prof is kept for an operator. Operator password:");
    tmux.type("kept", "s3nha");
    tmux.keys("kept", "Enter");
    expect(await connection.line(3)).toBe("s3nha");
    connection.send(en.welcome("prof", ["prof"], "1.t", 0, true), en.reply("nowOperator", []));
    await tmux.waitForLast("kept", "prof>");
    expect(raw()).not.toContain("s3nha");
    tmux.keys("kept", "C-c");
    expect(await connection.line(4)).toBe("/quit");
  });
});
