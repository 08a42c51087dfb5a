/**
 * Interactive mode end to end, through a real pseudo-terminal: the client runs
 * inside a private tmux server with a fixed window size; keys go in with
 * send-keys, the screen comes out with capture-pane. Skipped, saying so, only
 * where tmux is not installed.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SERVER_DEFAULTS } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { connect } from "../support/lineclient.ts";

const ROOT = `${import.meta.dir}/../..`;
const HAS_TMUX = Bun.which("tmux") !== null;
if (!HAS_TMUX) console.warn("tmux is not on PATH: skipping the interactive end-to-end tests");

const SOCKET = `papo-test-${process.pid}`;
let server: RunningServer;

function tmux(...args: string[]): string {
  const run = Bun.spawnSync(["tmux", "-L", SOCKET, ...args], { stderr: "pipe" });
  if (run.exitCode !== 0) throw new Error(`tmux ${args[0]}: ${run.stderr.toString()}`);
  return run.stdout.toString();
}

/** Start the client in a new 80x24 tmux session; its exit status is printed when it ends. */
function startClient(session: string, args: string[]): void {
  const command = [
    "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL= LC_MESSAGES=",
    `'${process.execPath}' src/cli/client.ts --port ${server.port} ${args.join(" ")};`,
    "echo EXIT=$?; sleep 30",
  ].join(" ");
  tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", "-c", ROOT, command);
}

/** The visible screen, without trailing blank lines. */
function screen(session: string): string[] {
  const lines = tmux("capture-pane", "-p", "-t", session).split("\n");
  while (lines.length > 0 && lines.at(-1)?.trim() === "") lines.pop();
  return lines;
}

async function waitForScreen(
  session: string,
  ok: (lines: string[]) => boolean,
  ms = 5000,
): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const lines = screen(session);
    if (ok(lines)) return lines;
    if (Date.now() > deadline) throw new Error(`screen never matched:\n${lines.join("\n")}`);
    await Bun.sleep(30);
  }
}

const lastLine = (lines: string[]) => lines.at(-1) ?? "";
const STAMP = /^\d\d:\d\d /;

describe.skipIf(!HAS_TMUX)("interactive mode in a real terminal (tmux)", () => {
  beforeAll(async () => {
    server = startServer({ ...SERVER_DEFAULTS, port: 0, quiet: true });
  });
  afterAll(async () => {
    try {
      tmux("kill-server");
    } catch {
      // Already gone: every session ended.
    }
    await server.stop();
  });

  test("an incoming line does not break the half-typed one", async () => {
    startClient("chat", ["--name", "ana"]);
    await waitForScreen("chat", (l) => lastLine(l) === "ana>");
    const bob = await connect(server.port);
    await bob.next();
    bob.send("bob");
    await waitForScreen("chat", (l) => l.some((line) => line.endsWith("* bob joined")));

    tmux("send-keys", "-t", "chat", "-l", "hello wor");
    await waitForScreen("chat", (l) => lastLine(l) === "ana> hello wor");
    bob.send("incoming while you type");
    const lines = await waitForScreen("chat", (l) =>
      l.some((line) => line.endsWith("<bob> incoming while you type")),
    );
    // The message sits above the input line, and the input line is intact.
    expect(lastLine(lines)).toBe("ana> hello wor");
    expect(lines.at(-2)).toMatch(/^\d\d:\d\d <bob> incoming while you type$/);

    // Finishing the line sends exactly what was typed, before and after the interruption.
    tmux("send-keys", "-t", "chat", "-l", "ld");
    tmux("send-keys", "-t", "chat", "Enter");
    expect(await bob.until((l) => l.startsWith("<ana>"))).toBe("<ana> hello world");
    const after = await waitForScreen("chat", (l) => lastLine(l) === "ana>");
    expect(after.at(-2)).toMatch(/^\d\d:\d\d <ana> hello world$/);
    expect(after.at(-2)).toMatch(STAMP);

    // Up brings the line back from history.
    tmux("send-keys", "-t", "chat", "Up");
    await waitForScreen("chat", (l) => lastLine(l) === "ana> hello world");
    tmux("send-keys", "-t", "chat", "C-u");

    // An action: the local echo looks exactly like one that arrives.
    tmux("send-keys", "-t", "chat", "-l", "/me waves");
    tmux("send-keys", "-t", "chat", "Enter");
    expect(await bob.until((l) => l.startsWith("* <"))).toBe("* <ana> waves");
    bob.send("/me waves back");
    const acted = await waitForScreen("chat", (l) =>
      l.some((line) => line.endsWith("* <bob> waves back")),
    );
    expect(acted.slice(-3)).toEqual([
      expect.stringMatching(/^\d\d:\d\d \* <ana> waves$/),
      expect.stringMatching(/^\d\d:\d\d \* <bob> waves back$/),
      "ana>",
    ]);

    // Ctrl-C says /quit and exits 0.
    tmux("send-keys", "-t", "chat", "C-c");
    expect(await bob.until((l) => l.includes("ana left"))).toBe("* ana left");
    const end = await waitForScreen("chat", (l) => l.some((line) => line.startsWith("EXIT=")));
    expect(lastLine(end)).toBe("EXIT=0");
    bob.end();
  });

  test("a refused name is shown and asked for again", async () => {
    startClient("name", []);
    await waitForScreen("name", (l) => lastLine(l) === "Username:");
    tmux("send-keys", "-t", "name", "-l", "two words");
    tmux("send-keys", "-t", "name", "Enter");
    const lines = await waitForScreen("name", (l) => lastLine(l) === "Username:" && l.length > 3);
    expect(lines.at(-2)).toMatch(/^\d\d:\d\d ! invalid name: /);
    tmux("send-keys", "-t", "name", "-l", "carla");
    tmux("send-keys", "-t", "name", "Enter");
    await waitForScreen("name", (l) => lastLine(l) === "carla>");
    // /help: the server's commands, and the client's own keys.
    tmux("send-keys", "-t", "name", "-l", "/help");
    tmux("send-keys", "-t", "name", "Enter");
    const help = await waitForScreen("name", (l) => l.some((line) => line.includes("//TEXT")));
    expect(help).toContain("  Ctrl-C / Ctrl-D  leave (same as /quit)");
    expect(lastLine(help)).toBe("carla>");
    // Ctrl-D on an empty line leaves too.
    tmux("send-keys", "-t", "name", "C-d");
    const end = await waitForScreen("name", (l) => l.some((line) => line.startsWith("EXIT=")));
    expect(lastLine(end)).toBe("EXIT=0");
    expect(end).toContainEqual(expect.stringMatching(/^\d\d:\d\d \* bye$/));
  });
});
