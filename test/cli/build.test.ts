/**
 * The one-file papo (`bun run build`, scripts/build.ts) as a user runs it:
 * built once for the file (or dist/papo when it is newer than every source),
 * then its commands as processes: --version and --help, the server with its
 * web client on and compiled piped clients chatting through it, the page
 * (held inside the executable) in Chromium, and the stored room through the
 * writer thread, /transcript (the executable starting itself as `export`,
 * also once an upgrade replaced its file) and `papo export`; a .env where it
 * runs is not read.
 */

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import { build, DEFAULT_OUTFILE } from "../../scripts/build.ts";
import { PAPO_WORDS } from "../../src/cli/papo-help.ts";
import { PAGE_FILES } from "../../src/server/transport/assets.ts";
import { type Ended, runToEnd, type ServerProcess, spawnServer } from "../support/cli.ts";
import { connect } from "../support/lineclient.ts";
import { enter, Pages, say, seen } from "../support/page.ts";

// Building writes about 110 MB; a shared machine may take a few seconds for it.
setDefaultTimeout(30_000);

const ROOT = join(import.meta.dir, "..", "..");
let papo = DEFAULT_OUTFILE;
let built: string | null = null;
const started: ServerProcess[] = [];
const folders: string[] = [];

/** The newest change to what goes in the executable (ms), to tell whether dist/papo is current. */
function newestSource(): number {
  const files = readdirSync(join(ROOT, "src"), { recursive: true, encoding: "utf8" }).map((f) =>
    join(ROOT, "src", f),
  );
  files.push(join(ROOT, "scripts", "build.ts"), join(ROOT, "package.json"));
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

beforeAll(async () => {
  const current = statSync(DEFAULT_OUTFILE, { throwIfNoEntry: false });
  if (current !== undefined && current.mtimeMs > newestSource()) return;
  built = mkdtempSync(join(tmpdir(), "papo-build-"));
  papo = await build(join(built, "papo"));
});

afterAll(async () => {
  for (const server of started.splice(0)) {
    server.proc.kill();
    await server.exited;
  }
  for (const dir of [...folders.splice(0), ...(built === null ? [] : [built])]) {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The environment of a run in `locale`, whatever the machine's. */
function envOf(locale: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, LANG: locale };
  delete env.LC_ALL;
  delete env.LC_MESSAGES;
  return env;
}

/** Run the executable to its end. */
function run(args: string[], locale = "C.UTF-8"): Promise<Ended> {
  return runToEnd([papo, ...args], { env: envOf(locale) });
}

/** The compiled server with `args` (from `file` when given, in `cwd`), stopped after the file. */
async function server(args: string[], file = papo, cwd?: string): Promise<ServerProcess> {
  const running = await spawnServer(args, [file, "server"], cwd);
  started.push(running);
  return running;
}

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "papo-built-room-"));
  folders.push(dir);
  return dir;
}

/** `papo client` in piped mode, its stdout awaited line by line. */
function client(port: number, name: string) {
  const proc = Bun.spawn([papo, "client", "--port", String(port), "--name", name], {
    env: envOf("C.UTF-8"),
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  const changed: Array<() => void> = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) {
      out += decoder.decode(chunk, { stream: true });
      for (const wake of changed.splice(0)) wake();
    }
  })();
  return {
    async waitFor(line: string, ms = 5000) {
      const deadline = Date.now() + ms;
      while (!out.split("\n").includes(line)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no line ${JSON.stringify(line)} in:\n${out}`);
        // Woken by more output; the timer is only the deadline.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          changed.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    say(line: string) {
      proc.stdin.write(`${line}\n`);
      proc.stdin.flush();
    },
    /** End its input; resolves with its exit status once it has gone. */
    async end(): Promise<number> {
      proc.stdin.end();
      const code = await proc.exited;
      await reading;
      return code;
    },
  };
}

describe("papo, built", () => {
  test("--version is package.json's", async () => {
    expect(await run(["--version"])).toEqual({
      code: 0,
      stdout: `papo ${packageJson.version}\n`,
      stderr: "",
    });
  });

  test("--help lists the commands in the locale's language; an unknown one is one sentence", async () => {
    expect((await run(["--help"])).stdout).toBe(PAPO_WORDS.en.help);
    expect((await run(["--help"], "pt_BR.UTF-8")).stdout).toBe(PAPO_WORDS.pt.help);
    expect((await run(["server", "--help"])).stdout).toStartWith(
      "papo chat server\n\nusage: papo server [options]\n",
    );
    expect((await run(["client", "--help"])).stdout).toStartWith("Usage: papo client [options]\n");
    expect((await run(["export", "--help"])).stdout).toContain("usage: papo export [options]\n");
    expect(await run(["chat"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "papo: no command chat: server, client or export (try --help)\n",
    });
    const none = await run([]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(PAPO_WORDS.en.help);
  });

  test("the server, web client on, relays compiled piped clients' lines and serves the page's files", async () => {
    const relay = await server(["--port", "0", "--no-store"]);
    expect(relay.webPort).toBeGreaterThan(0);
    const ana = client(relay.port, "ana");
    await ana.waitFor("* hello ana! 1 online: ana (type /help for commands)");
    const bob = client(relay.port, "bob");
    await bob.waitFor("* hello bob! 2 online: ana, bob (type /help for commands)");
    ana.say("oi bob, tudo bem?");
    await bob.waitFor("<ana> oi bob, tudo bem?");
    bob.say("tudo!");
    await ana.waitFor("<bob> tudo!");
    expect(await bob.end()).toBe(0);
    expect(await ana.end()).toBe(0);

    // The page's files are the executable's own copies of src/web's.
    const base = `http://127.0.0.1:${relay.webPort}`;
    for (const name of PAGE_FILES) {
      const response = await fetch(`${base}/${name}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(readFileSync(join(ROOT, "src", "web", name), "utf8"));
    }
    const script = await fetch(`${base}/app.js`);
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(10_000);
  });

  test("the store's writer thread keeps the room; /transcript and papo export read it", async () => {
    const data = folder();
    const kept = await server(["--port", "0", "--data", data, "--op-password", "sesame"]);
    const ana = await connect(kept.port);
    await ana.until((line) => line.endsWith("what is your name?"));
    ana.send("ana");
    await ana.until((line) => line.startsWith("* hello ana!"));
    ana.send("a line to keep");
    ana.send("/op sesame");
    await ana.until((line) => line === "* you are now an operator");
    ana.send("/transcript");
    const reply = await ana.until((line) => line.startsWith("* the room's transcript is at"));
    const path = /\/transcript\?t=[A-Za-z0-9_-]+/.exec(reply)?.[0] ?? "";
    // The executable makes the page by starting itself as `papo export`.
    const page = await fetch(`http://127.0.0.1:${kept.webPort}${path}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("* ana joined");
    expect(html).toContain('&lt;ana&gt;</span> <span class="text">a line to keep</span>');
    ana.end();

    kept.proc.kill();
    expect(await kept.exited).toBe(0);
    started.splice(started.indexOf(kept), 1);
    const exported = await run(["export", "--data", data]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toBe("");
    const lines = exported.stdout.split("\n").map((line) => line.slice(21));
    expect(lines).toContain("* ana joined");
    expect(lines).toContain("<ana> a line to keep");
  });

  test("a .env in the folder it runs from is not read", async () => {
    const here = folder();
    writeFileSync(join(here, ".env"), "PAPO_ROOM_PASSWORD=x\n");
    const relay = await server(["--port", "0", "--no-web", "--no-store"], papo, here);
    const ana = await connect(relay.port);
    expect(await ana.next()).toBe(
      "* welcome to papo! this room speaks English. what is your name?",
    );
    ana.end();
  });

  test("after its file is replaced (an upgrade), /transcript still starts this papo", async () => {
    const here = folder();
    const file = join(here, "papo");
    copyFileSync(papo, file);
    const kept = await server(["--port", "0", "--data", here, "--op-password", "sesame"], file);
    // The upgrade's `mv papo.new papo`: the path now names another program.
    writeFileSync(join(here, "papo.new"), "#!/bin/sh\nexit 3\n", { mode: 0o755 });
    renameSync(join(here, "papo.new"), file);
    const ana = await connect(kept.port);
    await ana.until((line) => line.endsWith("what is your name?"));
    ana.send("ana");
    await ana.until((line) => line.startsWith("* hello ana!"));
    ana.send("/op sesame");
    await ana.until((line) => line === "* you are now an operator");
    ana.send("/transcript");
    const reply = await ana.until((line) => line.startsWith("* the room's transcript is at"));
    const path = /\/transcript\?t=[A-Za-z0-9_-]+/.exec(reply)?.[0] ?? "";
    const page = await fetch(`http://127.0.0.1:${kept.webPort}${path}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("* ana joined");
    ana.end();
  });

  describe("in Chromium", () => {
    const pages = new Pages();
    beforeAll(() => pages.launch());
    afterAll(async () => {
      await pages.closeContexts();
      await pages.close();
    });

    test("the page loads from the executable and chats with a compiled client", async () => {
      const relay = await server(["--port", "0", "--no-store"]);
      const { page, dialogs, errors } = await pages.open({
        web: { url: `http://127.0.0.1:${relay.webPort}/` },
      });
      await enter(page, "bia");
      const ana = client(relay.port, "ana");
      await ana.waitFor("* hello ana! 2 online: bia, ana (type /help for commands)");
      ana.say("oi bia");
      await seen(page, "<ana> oi bia");
      await say(page, "oi ana");
      await ana.waitFor("<bia> oi ana");
      expect(await ana.end()).toBe(0);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    });
  });
});
