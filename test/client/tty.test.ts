/**
 * Interactive mode end to end, through a real pseudo-terminal (tmux, see
 * tmux.ts): typing while lines arrive, names asked for, keys, completion,
 * mentions and the bell, the input history kept between runs, and lines
 * checked against the server's limit before they are sent. Skipped, saying
 * so, only where tmux is not installed.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SERVER_DEFAULTS } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { connect } from "../support/lineclient.ts";
import { eventually, join as joinRoom } from "../support/server.ts";
import { lastLine, SKIP_TMUX, STAMP, Tmux } from "./tmux.ts";

if (SKIP_TMUX) console.warn("tmux is not on PATH: skipping the interactive end-to-end tests");

let server: RunningServer;
const tmux = new Tmux();
const at = (...args: string[]) => ({ args: ["--port", String(server.port), ...args] });

describe.skipIf(SKIP_TMUX)("interactive mode in a real terminal (tmux)", () => {
  beforeAll(async () => {
    server = startServer({ ...SERVER_DEFAULTS, web: false, port: 0, quiet: true, historyLines: 0 });
  });
  afterAll(async () => {
    tmux.kill();
    await server.stop();
  });

  test("an incoming line does not break the half-typed one", async () => {
    tmux.start("chat", at("--name", "ana"));
    await tmux.waitForLast("chat", "ana>");
    const bob = await connect(server.port);
    await bob.next();
    bob.send("bob");
    await tmux.waitFor("chat", (l) => l.some((line) => line.endsWith("* bob joined")));

    tmux.type("chat", "hello wor");
    await tmux.waitForLast("chat", "ana> hello wor");
    bob.send("incoming while you type");
    const lines = await tmux.waitFor("chat", (l) =>
      l.some((line) => line.endsWith("<bob> incoming while you type")),
    );
    // The message sits above the input line, and the input line is intact.
    expect(lastLine(lines)).toBe("ana> hello wor");
    expect(lines.at(-2)).toMatch(/^\d\d:\d\d <bob> incoming while you type$/);

    // Finishing the line sends exactly what was typed, before and after the interruption.
    tmux.type("chat", "ld");
    tmux.keys("chat", "Enter");
    expect(await bob.until((l) => l.startsWith("<ana>"))).toBe("<ana> hello world");
    const after = await tmux.waitForLast("chat", "ana>");
    expect(after.at(-2)).toMatch(/^\d\d:\d\d <ana> hello world$/);
    expect(after.at(-2)).toMatch(STAMP);

    // Up brings the line back from history.
    tmux.keys("chat", "Up");
    await tmux.waitForLast("chat", "ana> hello world");
    tmux.keys("chat", "C-u");

    // An action: the local echo looks exactly like one that arrives.
    tmux.type("chat", "/me waves");
    tmux.keys("chat", "Enter");
    expect(await bob.until((l) => l.startsWith("* <"))).toBe("* <ana> waves");
    bob.send("/me waves back");
    const acted = await tmux.waitFor("chat", (l) =>
      l.some((line) => line.endsWith("* <bob> waves back")),
    );
    expect(acted.slice(-3)).toEqual([
      expect.stringMatching(/^\d\d:\d\d \* <ana> waves$/),
      expect.stringMatching(/^\d\d:\d\d \* <bob> waves back$/),
      "ana>",
    ]);

    // Ctrl-C on an empty line says /quit and exits 0.
    tmux.keys("chat", "C-c");
    expect(await bob.until((l) => l.includes("ana left"))).toBe("* ana left");
    expect(await tmux.exited("chat")).toBe(0);
    bob.end();
  });

  test("a refused name is shown and asked for again", async () => {
    tmux.start("name", at());
    await tmux.waitForLast("name", "Username:");
    tmux.type("name", "two words");
    tmux.keys("name", "Enter");
    const lines = await tmux.waitFor("name", (l) => lastLine(l) === "Username:" && l.length > 3);
    expect(lines.at(-2)).toMatch(/^\d\d:\d\d ! invalid name: /);
    tmux.type("name", "carla");
    tmux.keys("name", "Enter");
    await tmux.waitForLast("name", "carla>");
    // /help: the server's commands, and the client's own keys.
    tmux.type("name", "/help");
    tmux.keys("name", "Enter");
    const help = await tmux.waitFor("name", (l) => l.some((line) => line.includes("//TEXT")));
    expect(help).toContain("  Ctrl-D           leave, on an empty line (same as /quit)");
    expect(lastLine(help)).toBe("carla>");
    // Ctrl-D on an empty line leaves too.
    tmux.keys("name", "C-d");
    const end = await tmux.waitFor("name", (l) => l.some((line) => line.startsWith("EXIT=")));
    expect(lastLine(end)).toBe("EXIT=0");
    expect(end).toContainEqual(expect.stringMatching(/^\d\d:\d\d \* bye$/));
  });

  test("with --name no name is asked for", async () => {
    tmux.start("given", at("--name", "gil"));
    const lines = await tmux.waitForLast("given", "gil>");
    expect(lines.join("\n")).not.toContain("Username:");
    tmux.keys("given", "C-c");
    expect(await tmux.exited("given")).toBe(0);
  });

  test("Ctrl-C clears a half-typed line, Ctrl-U the whole line wherever the cursor is", async () => {
    tmux.start("keys", at("--name", "kim"));
    await tmux.waitForLast("keys", "kim>");
    tmux.type("keys", "half typed");
    await tmux.waitForLast("keys", "kim> half typed");
    tmux.keys("keys", "C-c");
    await tmux.waitForLast("keys", "kim>");
    tmux.type("keys", "again and again");
    tmux.keys("keys", "Left", "Left", "Left", "Left", "Left", "C-u");
    await tmux.waitForLast("keys", "kim>");
    // Still here: the first Ctrl-C only cleared the line.
    tmux.type("keys", "x");
    await tmux.waitForLast("keys", "kim> x");
    tmux.keys("keys", "C-u", "C-c");
    expect(await tmux.exited("keys")).toBe(0);
  });

  test("Tab completes commands, and names as 'name: ' at the start, 'name ' elsewhere", async () => {
    const dora = await joinRoom(server, "dora");
    tmux.start("tab", at("--name", "tom"));
    await tmux.waitForLast("tab", "tom>");
    const eve = await joinRoom(server, "evelyn");
    await tmux.waitFor("tab", (l) => l.some((line) => line.endsWith("* evelyn joined")));
    tmux.type("tab", "/wh");
    tmux.keys("tab", "Tab");
    await tmux.waitForLast("tab", "tom> /who");
    tmux.keys("tab", "C-u");
    tmux.type("tab", "ev");
    tmux.keys("tab", "Tab");
    await tmux.waitForLast("tab", "tom> evelyn:");
    tmux.type("tab", "hi and D");
    tmux.keys("tab", "Tab");
    await tmux.waitForLast("tab", "tom> evelyn: hi and dora");
    tmux.type("tab", "too");
    tmux.keys("tab", "Enter");
    expect(await eve.until((l) => l.startsWith("<tom>"))).toBe("<tom> evelyn: hi and dora too");
    tmux.keys("tab", "C-c");
    expect(await tmux.exited("tab")).toBe(0);
    dora.end();
    eve.end();
  });

  test("a mention or a private message rings the bell and is highlighted; --no-bell keeps quiet", async () => {
    tmux.start("bell", at("--name", "Nia"));
    const raw = tmux.record("bell");
    await tmux.waitForLast("bell", "Nia>");
    const bob = await joinRoom(server, "bobo");
    bob.send("nothing for you");
    await tmux.waitFor("bell", (l) => l.some((line) => line.endsWith("<bobo> nothing for you")));
    expect(raw()).not.toContain("\x07");
    bob.send("hey nia, look");
    await tmux.waitFor("bell", (l) => l.some((line) => line.endsWith("<bobo> hey nia, look")));
    // A marker line after it: once it is in the recording, so is any bell before it.
    bob.send("marker one");
    await eventually(() => raw().includes("marker one"));
    expect(raw().split("\x07")).toHaveLength(2);
    // The mention reversed, your own name bold.
    expect(raw()).toContain("\x1b[1;7mnia\x1b[0m");
    // A block that names you in one of its lines rings as such a line does.
    bob.writeAll(["```\n", "def f():\n", "    print(NIA)\n", "\n", "```\n"]);
    await tmux.waitFor("bell", (l) => l.some((line) => line.endsWith("│     print(NIA)")));
    bob.send("marker block");
    await eventually(() => raw().includes("marker block"));
    expect(raw().split("\x07")).toHaveLength(3);
    expect(raw()).toContain("print(\x1b[1;7mNIA\x1b[0m)");
    bob.send("/msg Nia psst");
    await tmux.waitFor("bell", (l) => l.some((line) => line.endsWith("[private] <bobo> psst")));
    bob.send("marker two");
    await eventually(() => raw().includes("marker two"));
    expect(raw().split("\x07")).toHaveLength(4);
    tmux.keys("bell", "C-c");
    await tmux.exited("bell");

    tmux.start("quiet", at("--name", "Noa", "--no-bell"));
    const quiet = tmux.record("quiet");
    await tmux.waitForLast("quiet", "Noa>");
    bob.send("/msg noa psst");
    await tmux.waitFor("quiet", (l) => l.some((line) => line.endsWith("[private] <bobo> psst")));
    bob.send("marker three");
    await eventually(() => quiet().includes("marker three"));
    expect(quiet()).not.toContain("\x07");
    tmux.keys("quiet", "C-c");
    await tmux.exited("quiet");
    bob.end();
  });

  test("a line over the server's limit is refused here, with the limit, and kept for editing", async () => {
    const small = startServer({
      ...SERVER_DEFAULTS,
      web: false,
      port: 0,
      quiet: true,
      maxLineBytes: 20,
    });
    try {
      const peer = await joinRoom(small, "peer");
      tmux.start("long", { args: ["--port", String(small.port), "--name", "lia"] });
      await tmux.waitForLast("long", "lia>");
      tmux.type("long", "this line is far too long");
      tmux.keys("long", "Enter");
      // The line is put back once the refusal is shown: wait for both.
      const lines = await tmux.waitFor(
        "long",
        (l) => l.some((line) => line.includes("Not sent")) && lastLine(l) !== "lia>",
      );
      expect(lines.slice(-2)).toEqual([
        "Not sent: the line is 25 bytes and the server takes at most 20.",
        "lia> this line is far too long",
      ]);
      expect(await peer.quiet(150)).toEqual(["* lia joined"]);
      tmux.keys("long", "C-a", "Delete", "Delete", "Delete", "Delete", "Delete", "Enter");
      expect(await peer.until((l) => l.startsWith("<lia>"))).toBe("<lia> line is far too long");
      tmux.keys("long", "C-c");
      expect(await tmux.exited("long")).toBe(0);
    } finally {
      await small.stop();
    }
  });

  test("the input history is kept between runs, without names or /op passwords", async () => {
    const home = join(tmux.dataHome, "own");
    const file = join(home, "papo", "history");
    tmux.start("hist1", { ...at(), env: { XDG_DATA_HOME: home } });
    await tmux.waitForLast("hist1", "Username:");
    tmux.type("hist1", "hugo");
    tmux.keys("hist1", "Enter");
    await tmux.waitForLast("hist1", "hugo>");
    for (const line of ["first line", "/op s3cret", "second line"]) {
      tmux.type("hist1", line);
      tmux.keys("hist1", "Enter");
    }
    await tmux.waitFor("hist1", (l) => l.some((line) => line.endsWith("<hugo> second line")));
    tmux.keys("hist1", "C-c");
    expect(await tmux.exited("hist1")).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8")).toBe("first line\nsecond line\n");

    tmux.start("hist2", { ...at("--name", "hugo2"), env: { XDG_DATA_HOME: home } });
    await tmux.waitForLast("hist2", "hugo2>");
    tmux.keys("hist2", "Up");
    await tmux.waitForLast("hist2", "hugo2> second line");
    tmux.keys("hist2", "Up");
    await tmux.waitForLast("hist2", "hugo2> first line");
    tmux.keys("hist2", "C-u", "C-c");
    expect(await tmux.exited("hist2")).toBe(0);
  });

  test("an /op password is masked as typed, never on screen or in the history", async () => {
    const guarded = startServer({
      ...SERVER_DEFAULTS,
      web: false,
      port: 0,
      quiet: true,
      opPassword: "s3nha",
    });
    try {
      const home = join(tmux.dataHome, "op");
      tmux.start("op", {
        args: ["--port", String(guarded.port), "--name", "prof"],
        env: { XDG_DATA_HOME: home },
      });
      const raw = tmux.record("op");
      await tmux.waitForLast("op", "prof>");
      tmux.type("op", "before");
      tmux.keys("op", "Enter");
      tmux.type("op", "/op s3nh");
      await tmux.waitForLast("op", "prof> /op ****");
      // A line arriving meanwhile redraws the input line: masked still.
      const peer = await joinRoom(guarded, "peer");
      const redrawn = await tmux.waitFor("op", (l) =>
        l.some((line) => line.endsWith("peer joined")),
      );
      expect(lastLine(redrawn)).toBe("prof> /op ****");
      peer.end();
      // Edited in the middle it stays masked: "s3nh", "snh", "s3nh", "s3nha".
      tmux.keys("op", "Left", "Left", "BSpace");
      await tmux.waitForLast("op", "prof> /op ***");
      tmux.type("op", "3");
      await tmux.waitForLast("op", "prof> /op ****");
      tmux.keys("op", "End");
      tmux.type("op", "a");
      await tmux.waitForLast("op", "prof> /op *****");
      tmux.keys("op", "Enter");
      const lines = await tmux.waitFor("op", (l) =>
        l.some((line) => line.endsWith("* you are now an operator")),
      );
      // On screen as "/op ******", whatever the password's length.
      expect(lines).toContain("prof> /op ******");
      // Up skips it: it is not in the history.
      tmux.keys("op", "Up");
      await tmux.waitForLast("op", "prof> before");
      tmux.keys("op", "C-u", "C-c");
      expect(await tmux.exited("op")).toBe(0);
      expect(raw()).not.toContain("s3nha");
      expect(raw()).not.toContain("s3nh");
      expect(readFileSync(join(home, "papo", "history"), "utf8")).toBe("before\n");
    } finally {
      await guarded.stop();
    }
  }, 10_000);

  test("in Portuguese the client asks in Portuguese and the server answers in it", async () => {
    tmux.start("pt", { ...at(), env: { LANG: "pt_BR.UTF-8" } });
    await tmux.waitForLast("pt", "Nome de usuário:");
    tmux.type("pt", "zé");
    tmux.keys("pt", "Enter");
    const lines = await tmux.waitForLast("pt", "zé>");
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d \* idioma: português$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d \* olá zé! /));
    tmux.keys("pt", "C-c");
    const end = await tmux.waitFor("pt", (l) => l.some((line) => line.startsWith("EXIT=")));
    expect(end).toContainEqual(expect.stringMatching(/^\d\d:\d\d \* tchau$/));
  });
});
