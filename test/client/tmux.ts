/**
 * Drives the interactive client in a real pseudo-terminal: a private tmux
 * server per test file, a fixed window size, keys in with send-keys, the
 * screen out with capture-pane, raw output (the bell) through pipe-pane.
 * Every client gets its own XDG_DATA_HOME, so no test touches the real
 * input history.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..", "..");
export const HAS_TMUX = Bun.which("tmux") !== null;
/**
 * Without tmux the interactive tests are skipped on a developer's machine
 * (with a warning), but never in CI: there they run and fail with one
 * sentence saying what to install (.ci/run installs it).
 */
export const SKIP_TMUX = !HAS_TMUX && process.env.CI !== "true";
const MISSING = "tmux is not installed: install the Debian package tmux (apt-get install tmux)";

export interface ClientRun {
  /** Extra arguments for src/cli/run-client.ts (the port included). */
  args: string[];
  cols?: number;
  rows?: number;
  /** LANG and friends, XDG_DATA_HOME, anything else. */
  env?: Record<string, string>;
  /** Run this shell command line instead of `bun src/cli/run-client.ts ARGS`. */
  command?: string;
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

export class Tmux {
  readonly socket = `papo-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  /** A data directory for the clients' input history, removed by kill(). */
  readonly dataHome = mkdtempSync(join(tmpdir(), "papo-tty-"));

  run(...args: string[]): string {
    if (!HAS_TMUX) throw new Error(MISSING);
    const run = Bun.spawnSync(["tmux", "-L", this.socket, ...args], { stderr: "pipe" });
    if (run.exitCode !== 0) throw new Error(`tmux ${args[0]}: ${run.stderr.toString()}`);
    return run.stdout.toString();
  }

  /** Start the client in a new session; its exit status is printed as EXIT=N when it ends. */
  start(session: string, client: ClientRun): void {
    const env = {
      TERM: "xterm-256color",
      LANG: "C.UTF-8",
      LC_ALL: "",
      LC_MESSAGES: "",
      XDG_DATA_HOME: this.dataHome,
      PAPO_ROOM_PASSWORD: "",
      ...client.env,
    };
    const assignments = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`);
    const program =
      client.command ??
      `${quote(process.execPath)} src/cli/run-client.ts ${client.args.map(quote).join(" ")}`;
    const command = `env ${assignments.join(" ")} ${program}; echo EXIT=$?; sleep 30`;
    const size = ["-x", String(client.cols ?? 80), "-y", String(client.rows ?? 24)];
    this.run("new-session", "-d", "-s", session, ...size, "-c", ROOT, command);
  }

  /** Copy everything the pane's program writes, escapes and bells included, to a file. */
  record(session: string): () => string {
    const file = join(this.dataHome, `${session}.raw`);
    this.run("pipe-pane", "-o", "-t", session, `cat >> ${quote(file)}`);
    return () => {
      try {
        return readFileSync(file, "latin1");
      } catch {
        return "";
      }
    };
  }

  type(session: string, text: string): void {
    this.run("send-keys", "-t", session, "-l", text);
  }

  keys(session: string, ...keys: string[]): void {
    this.run("send-keys", "-t", session, ...keys);
  }

  /** The visible screen, without trailing blank lines. */
  screen(session: string): string[] {
    const lines = this.run("capture-pane", "-p", "-t", session).split("\n");
    while (lines.length > 0 && lines.at(-1)?.trim() === "") lines.pop();
    return lines;
  }

  async waitFor(session: string, ok: (lines: string[]) => boolean, ms = 5000): Promise<string[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const lines = this.screen(session);
      if (ok(lines)) return lines;
      if (Date.now() > deadline) throw new Error(`screen never matched:\n${lines.join("\n")}`);
      await Bun.sleep(30);
    }
  }

  /** Wait until the last line of the screen is `line`. */
  waitForLast(session: string, line: string, ms?: number): Promise<string[]> {
    return this.waitFor(session, (l) => lastLine(l) === line, ms);
  }

  /** Wait for the client to end; returns its exit status. */
  async exited(session: string, ms?: number): Promise<number> {
    const lines = await this.waitFor(session, (l) => l.some((x) => x.startsWith("EXIT=")), ms);
    return Number((lines.find((x) => x.startsWith("EXIT=")) as string).slice(5));
  }

  kill(): void {
    try {
      this.run("kill-server");
    } catch {
      // Already gone: every session ended.
    }
    rmSync(this.dataHome, { recursive: true, force: true });
  }
}

export const lastLine = (lines: string[]): string => lines.at(-1) ?? "";
export const STAMP = /^\d\d:\d\d /;
