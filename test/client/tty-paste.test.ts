/**
 * Blocks in a real terminal (tmux): a paste of many lines is sent as one
 * block (bracketed paste), a block typed between lines of ``` too, and a
 * block that arrives is shown as one, after a gutter, with its indentation
 * and blank lines. Skipped, saying so, only where tmux is not installed.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SERVER_DEFAULTS } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { connect } from "../support/lineclient.ts";
import { eventually, join as joinRoom } from "../support/server.ts";
import { lastLine, SKIP_TMUX, Tmux } from "./tmux.ts";

if (SKIP_TMUX) console.warn("tmux is not on PATH: skipping the interactive end-to-end tests");

let server: RunningServer;
const tmux = new Tmux();
const at = (...args: string[]) => ({
  args: ["--port", String(server.port), "--no-color", ...args],
});

const CODE = ["def f(x):", "    if x:", "", "\treturn 1", "    return 2"];
const v1 = (name: string, lines: readonly string[]) =>
  lines.map((l) => (l === "" ? `<${name}> |` : `<${name}> | ${l}`));

describe.skipIf(SKIP_TMUX)("blocks in a real terminal (tmux)", () => {
  beforeAll(() => {
    server = startServer({
      ...SERVER_DEFAULTS,
      web: false,
      port: 0,
      quiet: true,
      historyLines: 0,
      opPassword: "pw",
    });
  });
  afterAll(async () => {
    tmux.kill();
    await server.stop();
  });

  test("a paste is one block; a block typed between ``` lines too; a block received is shown as one", async () => {
    tmux.start("paste", at("--name", "ana"));
    await tmux.waitForLast("paste", "ana>");
    const bob = await connect(server.port);
    await bob.next();
    bob.send("bob");
    await tmux.waitFor("paste", (l) => l.some((line) => line.endsWith("* bob joined")));

    // What was typed before the paste stays in the input line.
    tmux.type("paste", "kept");
    await tmux.waitForLast("paste", "ana> kept");
    tmux.run("set-buffer", "-b", "code", `${CODE.join("\n")}\n`);
    tmux.run("paste-buffer", "-p", "-b", "code", "-t", "paste");
    for (const line of v1("ana", CODE))
      expect(await bob.until((l) => l.startsWith("<ana>"))).toBe(line);
    const shown = await tmux.waitFor("paste", (l) => l.some((line) => line === "│     return 2"));
    expect(lastLine(shown)).toBe("ana> kept");
    const head = shown.findIndex((line) => /^\d\d:\d\d <ana>$/.test(line));
    expect(shown.slice(head + 1, head + 1 + CODE.length)).toEqual(
      ["│ def f(x):", "│     if x:", "│ ", "│         return 1", "│     return 2"].map((l) =>
        l.trimEnd(),
      ),
    );
    tmux.keys("paste", "C-u");

    // A block that arrives: from someone typing ``` by hand in nc.
    for (const l of ["```", "for i in x:", "", "    print(i)", "```"]) bob.send(l);
    const got = await tmux.waitFor("paste", (l) => l.some((line) => line === "│     print(i)"));
    const from = got.findIndex((line) => /^\d\d:\d\d <bob>$/.test(line));
    expect(got.slice(from + 1, from + 4)).toEqual(["│ for i in x:", "│", "│     print(i)"]);

    // Typed between two lines of ```: one block when the second comes.
    for (const l of ["```", "a = 1", "  b = 2", "```"]) {
      tmux.type("paste", l);
      tmux.keys("paste", "Enter");
    }
    expect(await bob.until((l) => l.startsWith("<ana>"))).toBe("<ana> | a = 1");
    expect(await bob.next()).toBe("<ana> |   b = 2");
    await tmux.waitForLast("paste", "ana>");

    tmux.keys("paste", "C-c");
    expect(await tmux.exited("paste")).toBe(0);
    bob.end();
  });

  test("a paste that closes a ``` block: the rest of it is a paste of its own", async () => {
    tmux.start("rest", at("--name", "rui"));
    await tmux.waitForLast("rest", "rui>");
    const bob = await joinRoom(server, "bob2");
    await tmux.waitFor("rest", (l) => l.some((line) => line.endsWith("* bob2 joined")));
    tmux.type("rest", "```");
    tmux.keys("rest", "Enter");
    await tmux.waitForLast("rest", "│");
    tmux.run("set-buffer", "-b", "rest", "a\nb\n```\nafter 1\nafter 2\n");
    tmux.run("paste-buffer", "-p", "-b", "rest", "-t", "rest");
    expect(await bob.until((l) => l.startsWith("<rui>"))).toBe("<rui> | a");
    expect(await bob.next()).toBe("<rui> | b");
    // The two lines after the fence: a paste of several lines, so one block, not a hidden one.
    expect(await bob.next()).toBe("<rui> | after 1");
    expect(await bob.next()).toBe("<rui> | after 2");
    // And a paste of one line after the fence stays in the input line.
    tmux.type("rest", "```");
    tmux.keys("rest", "Enter");
    await tmux.waitForLast("rest", "│");
    tmux.run("set-buffer", "-b", "rest", "c\n```\nlast one");
    tmux.run("paste-buffer", "-p", "-b", "rest", "-t", "rest");
    expect(await bob.until((l) => l.startsWith("<rui>"))).toBe("<rui> c");
    await tmux.waitForLast("rest", "rui> last one");
    tmux.keys("rest", "Enter");
    expect(await bob.until((l) => l.startsWith("<rui>"))).toBe("<rui> last one");
    tmux.keys("rest", "C-c");
    expect(await tmux.exited("rest")).toBe(0);
    bob.end();
  }, 20_000);

  test("a block the server refuses is kept: Enter on an empty line sends it again", async () => {
    const prof = await joinRoom(server, "prof");
    prof.send("/op pw");
    await prof.until((l) => l === "* you are now an operator");
    tmux.start("refused", at("--name", "eva"));
    await tmux.waitForLast("refused", "eva>");
    await prof.until((l) => l === "* eva joined");
    prof.send("/mute eva");
    await tmux.waitFor("refused", (l) => l.some((line) => line.endsWith("* prof muted eva")));
    tmux.run("set-buffer", "-b", "refused", "one\ntwo\n");
    tmux.run("paste-buffer", "-p", "-b", "refused", "-t", "refused");
    await tmux.waitFor("refused", (l) =>
      l.some((line) => line.includes("Your block of 2 lines was not said; it is kept")),
    );
    prof.send("/unmute eva");
    await tmux.waitFor("refused", (l) => l.some((line) => line.endsWith("* prof unmuted eva")));
    tmux.keys("refused", "Enter");
    expect(await prof.until((l) => l.startsWith("<eva>"))).toBe("<eva> | one");
    expect(await prof.next()).toBe("<eva> | two");
    tmux.keys("refused", "C-c");
    expect(await tmux.exited("refused")).toBe(0);
    prof.end();
  }, 20_000);

  test("a paste whose end mark never comes is taken as over after a while", async () => {
    tmux.start("cut", at("--name", "ivo"));
    await tmux.waitForLast("cut", "ivo>");
    const bob = await joinRoom(server, "bob3");
    await tmux.waitFor("cut", (l) => l.some((line) => line.endsWith("* bob3 joined")));
    // The start mark and two lines, and no end mark.
    tmux.run("send-keys", "-t", "cut", "-l", "\x1b[200~x = 1\ry = 2\r");
    expect(await bob.until((l) => l.startsWith("<ivo>"))).toBe("<ivo> | x = 1");
    expect(await bob.next()).toBe("<ivo> | y = 2");
    // Keys after it are typed as usual.
    tmux.type("cut", "typed");
    tmux.keys("cut", "Enter");
    expect(await bob.until((l) => l.startsWith("<ivo>"))).toBe("<ivo> typed");
    tmux.keys("cut", "C-c");
    expect(await tmux.exited("cut")).toBe(0);
    bob.end();
  }, 20_000);

  test("killed (SIGTERM), the client leaves the terminal out of bracketed paste", async () => {
    tmux.start("killed", at("--name", "lia"));
    const raw = tmux.record("killed");
    await tmux.waitForLast("killed", "lia>");
    const shell = tmux.run("display", "-p", "-t", "killed", "#{pane_pid}").trim();
    const children = Bun.spawnSync(["pgrep", "-P", shell]).stdout.toString().trim().split("\n");
    expect(children).toHaveLength(1);
    process.kill(Number(children[0]), "SIGTERM");
    expect(await tmux.exited("killed")).toBe(143);
    // What it wrote last of bracketed paste (xterm's mode 2004) turns it off.
    await eventually(() => raw().includes("EXIT="));
    expect(raw().lastIndexOf("\x1b[?2004l")).toBeGreaterThan(raw().lastIndexOf("\x1b[?2004h"));
  }, 20_000);
});
