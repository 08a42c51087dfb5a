/**
 * The interactive client when the room goes away and comes back, when the
 * person is slow to give a name, when the room has a password, and when the
 * input line wraps past a narrow window while lines arrive (tmux, see tmux.ts).
 */

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SERVER_DEFAULTS, type ServerConfig } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { eventually, join as joinRoom } from "../support/server.ts";
import { lastLine, SKIP_TMUX, Tmux } from "./tmux.ts";

const tmux = new Tmux();
const servers = new Set<RunningServer>();

function room(more: Partial<ServerConfig> = {}): RunningServer {
  const server = startServer({
    ...SERVER_DEFAULTS,
    web: false,
    port: 0,
    quiet: true,
    historyLines: 0,
    ...more,
  });
  servers.add(server);
  return server;
}

describe.skipIf(SKIP_TMUX)("reconnecting, slow names, passwords, narrow windows (tmux)", () => {
  afterAll(async () => {
    tmux.kill();
    await Promise.all([...servers].map((s) => s.stop()));
  });

  test("a restart: said, counted down, the half-typed line kept, the same name rejoined", async () => {
    const first = room();
    const port = first.port;
    tmux.start("again", { args: ["--port", String(port), "--name", "ana"] });
    await tmux.waitForLast("again", "ana>");
    tmux.type("again", "half typed");
    await first.stop();
    const down = await tmux.waitFor("again", (l) =>
      /^reconnecting in \d+ s… ana> half typed$/.test(lastLine(l)),
    );
    expect(down).toContainEqual(
      "Disconnected: server shutting down. Reconnecting (Ctrl-C to give up).",
    );
    expect(lastLine(down)).toMatch(/^reconnecting in \d+ s… ana> half typed$/);
    // Enter while out of the room keeps the line.
    tmux.keys("again", "Enter");
    await tmux.waitFor(
      "again",
      (l) =>
        l.some((line) => line.startsWith("Not sent: not in the room")) &&
        / ana> half typed$/.test(lastLine(l)),
    );

    const second = room({ port });
    const peer = await joinRoom(second, "peer");
    const back = await tmux.waitForLast("again", "ana> half typed", 8000);
    expect(back).toContainEqual(
      expect.stringMatching(
        /^\d\d:\d\d \* hello ana! 2 online: peer, ana \(type \/help for commands\)$/,
      ),
    );
    tmux.type("again", " and done");
    tmux.keys("again", "Enter");
    expect(await peer.until((l) => l.startsWith("<ana>"))).toBe("<ana> half typed and done");
    tmux.keys("again", "C-c");
    expect(await tmux.exited("again")).toBe(0);
  }, 15_000);

  test("Ctrl-C on an empty line while reconnecting gives up (exit 2)", async () => {
    const server = room();
    tmux.start("giveup", { args: ["--port", String(server.port), "--name", "bo"] });
    await tmux.waitForLast("giveup", "bo>");
    await server.stop();
    await tmux.waitFor("giveup", (l) => lastLine(l).startsWith("reconnecting in"));
    tmux.keys("giveup", "C-c");
    const end = await tmux.waitFor("giveup", (l) => l.some((line) => line.startsWith("EXIT=")));
    expect(lastLine(end)).toBe("EXIT=2");
    expect(end).toContain("Disconnected: server shutting down.");
  });

  test("kicked: the client ends, and does not come back", async () => {
    const server = room({ opPassword: "sesame" });
    const op = await joinRoom(server, "op");
    op.send("/op sesame");
    await op.next();
    tmux.start("kicked", { args: ["--port", String(server.port), "--name", "kid"] });
    await tmux.waitForLast("kicked", "kid>");
    op.send("/kick kid calm down");
    const end = await tmux.waitFor("kicked", (l) => l.some((line) => line.startsWith("EXIT=")));
    expect(lastLine(end)).toBe("EXIT=2");
    expect(end).toContain("Disconnected: kid was kicked by op (calm down).");
    expect(end.join("\n")).not.toContain("reconnecting");
  });

  test("a person slower than the server's name timeout still gets in", async () => {
    const server = room({ nameTimeoutMs: 300 });
    tmux.start("slow", { args: ["--port", String(server.port)] });
    await tmux.waitForLast("slow", "Username:");
    tmux.type("slow", "sl");
    // The server closes that connection after its name timeout.
    await eventually(() => server.connectionCount() === 0);
    tmux.type("slow", "ow");
    tmux.keys("slow", "Enter");
    const lines = await tmux.waitForLast("slow", "slow>");
    expect(lines.join("\n")).not.toContain("no name given");
    expect(lines.filter((l) => l.includes("welcome to papo"))).toHaveLength(1);
    tmux.keys("slow", "C-c");
    expect(await tmux.exited("slow")).toBe(0);
  });

  test("the room's password is asked for without echo, and never kept in the history", async () => {
    const server = room({ roomPassword: "turma7b" });
    const home = join(tmux.dataHome, "pw");
    tmux.start("pw", { args: ["--port", String(server.port)], env: { XDG_DATA_HOME: home } });
    await tmux.waitForLast("pw", "Room password:");
    tmux.type("pw", "wrong");
    tmux.keys("pw", "Enter");
    await tmux.waitFor("pw", (l) => l.some((line) => line.endsWith("! wrong password")));
    const again = await tmux.waitForLast("pw", "Room password:");
    tmux.type("pw", "turma7b");
    expect(lastLine(tmux.screen("pw"))).toBe("Room password:");
    tmux.keys("pw", "Enter");
    await tmux.waitForLast("pw", "Username:");
    tmux.type("pw", "pia");
    tmux.keys("pw", "Enter");
    await tmux.waitForLast("pw", "pia>");
    tmux.type("pw", "in at last");
    tmux.keys("pw", "Enter");
    tmux.keys("pw", "Up");
    const lines = await tmux.waitForLast("pw", "pia> in at last");
    expect(again.join("\n")).not.toContain("wrong\n");
    expect(lines.join("\n")).not.toContain("turma7b");
    tmux.keys("pw", "C-u", "C-c");
    expect(await tmux.exited("pw")).toBe(0);
    const file = join(home, "papo", "history");
    expect(existsSync(file) ? readFileSync(file, "utf8") : "").toBe("in at last\n");
  });

  test("a half-typed password never becomes a chat line when the room stops asking for one", async () => {
    const first = room({ roomPassword: "turma7b" });
    const port = first.port;
    const home = join(tmux.dataHome, "zed");
    tmux.start("zed", {
      args: ["--port", String(port), "--name", "zed"],
      env: { XDG_DATA_HOME: home },
    });
    await tmux.waitForLast("zed", "Room password:");
    tmux.type("zed", "hunt");
    await first.stop();
    // Back without a password: the client joins by itself, and the prompt is the chat's.
    const second = room({ port });
    const peer = await joinRoom(second, "peer");
    await tmux.waitForLast("zed", "zed>", 8000);
    tmux.type("zed", "er2");
    tmux.keys("zed", "Enter");
    tmux.type("zed", "hello");
    tmux.keys("zed", "Enter");
    expect(await peer.until((l) => l.startsWith("<zed>"))).toBe("<zed> er2");
    expect(await peer.next()).toBe("<zed> hello");
    expect(tmux.screen("zed").join("\n")).not.toContain("hunt");
    tmux.keys("zed", "C-c");
    expect(await tmux.exited("zed")).toBe(0);
    const file = join(home, "papo", "history");
    expect(existsSync(file) ? readFileSync(file, "utf8") : "").not.toContain("hunt");
  });

  test("a wrapped input line in a narrow window leaves no blank lines as lines arrive", async () => {
    const server = room();
    tmux.start("narrow", {
      args: ["--port", String(server.port), "--name", "ana", "--no-color"],
      cols: 30,
      rows: 14,
    });
    await tmux.waitForLast("narrow", "ana>");
    // Typed as one paste, so readline never redraws while it wraps.
    const typed = "this is a long line that wraps past the width of the terminal window";
    tmux.type("narrow", typed);
    const peer = await joinRoom(server, "bob");
    for (const n of [1, 2, 3]) peer.send(`message ${n}`);
    const lines = await tmux.waitFor("narrow", (l) => l.some((line) => line.endsWith("message 3")));
    const transcript = lines.slice(
      0,
      lines.findIndex((line) => line.startsWith("ana> ")),
    );
    expect(transcript.filter((line) => line.trim() === "")).toEqual([]);
    expect(transcript.slice(-4)).toEqual([
      expect.stringMatching(/\* bob joined$/),
      expect.stringMatching(/<bob> message 1$/),
      expect.stringMatching(/<bob> message 2$/),
      expect.stringMatching(/<bob> message 3$/),
    ]);
    // The input's three rows, each full but the last (capture-pane drops trailing spaces).
    const rows = lines.slice(-3).map((row, i) => (i < 2 ? row.padEnd(30) : row));
    expect(rows.join("")).toBe(`ana> ${typed}`);
    tmux.keys("narrow", "Enter");
    expect(await peer.until((l) => l.startsWith("<ana>"))).toBe(`<ana> ${typed}`);
    tmux.keys("narrow", "C-c");
    expect(await tmux.exited("narrow")).toBe(0);
  });
});
