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
    server = startServer({ ...SERVER_DEFAULTS, web: false, port: 0, quiet: true, historyLines: 0 });
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
});
