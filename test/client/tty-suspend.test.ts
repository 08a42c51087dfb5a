/**
 * Ctrl-Z from an interactive shell with job control, the way people start
 * the client: `bun run client` and `npm run client`, where a parent process
 * waits for the client in the same process group. Ctrl-Z must give the shell
 * its prompt back, and `fg` the client, its input line and raw mode (tmux,
 * see tmux.ts).
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { SERVER_DEFAULTS } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { join as joinRoom } from "../support/server.ts";
import { lastLine, SKIP_TMUX, Tmux } from "./tmux.ts";

const HAS_BASH = Bun.which("bash") !== null;
const HAS_NPM = Bun.which("npm") !== null;
const tmux = new Tmux();
let server: RunningServer;

/** An interactive bash (job control on) whose prompt is "READY$". */
function shell(session: string): void {
  tmux.start(session, {
    args: [],
    // Bun first on PATH, as `npx`/`npm run` would put the pinned one.
    env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, PS1: "READY$ " },
    command: "bash --norc --noprofile -i",
  });
}

async function suspendAndResume(session: string, start: string, name: string): Promise<void> {
  shell(session);
  await tmux.waitForLast(session, "READY$");
  tmux.type(session, `${start} -- --port ${server.port} --name ${name}`);
  tmux.keys(session, "Enter");
  await tmux.waitForLast(session, `${name}>`, 10_000);
  tmux.type(session, "half");
  await tmux.waitForLast(session, `${name}> half`);

  tmux.keys(session, "C-z");
  const stopped = await tmux.waitForLast(session, "READY$");
  expect(stopped).toContainEqual(expect.stringMatching(/^\[1\]\+\s+Stopped\s+/));

  const peer = await joinRoom(server, `${name}peer`);
  tmux.type(session, "fg");
  tmux.keys(session, "Enter");
  // Back: what arrived meanwhile, then the input line as it was, in raw mode again.
  await tmux.waitFor(session, (l) => l.some((line) => line.endsWith(`* ${name}peer joined`)));
  await tmux.waitForLast(session, `${name}> half`);
  tmux.type(session, " and back");
  tmux.keys(session, "Enter");
  expect(await peer.until((l) => l.startsWith(`<${name}>`))).toBe(`<${name}> half and back`);
  tmux.keys(session, "C-c");
  await tmux.waitFor(
    session,
    (l) => lastLine(l) === "READY$" && l.some((x) => x.endsWith("* bye")),
  );
  peer.end();
}

describe.skipIf(SKIP_TMUX || !HAS_BASH)("Ctrl-Z suspends the client (tmux, bash)", () => {
  beforeAll(() => {
    server = startServer({ ...SERVER_DEFAULTS, port: 0, quiet: true, historyLines: 0 });
  });
  afterAll(async () => {
    tmux.kill();
    await server.stop();
  });

  test("started with `bun run client`: Ctrl-Z gives the prompt back, fg the client", async () => {
    await suspendAndResume("bunrun", "bun run client", "zed");
  }, 20_000);

  test("a stopped client ends at the shell's `kill %1`, without fg", async () => {
    shell("killed");
    await tmux.waitForLast("killed", "READY$");
    tmux.type("killed", `bun run client -- --port ${server.port} --name kay`);
    tmux.keys("killed", "Enter");
    await tmux.waitForLast("killed", "kay>", 10_000);
    tmux.keys("killed", "C-z");
    await tmux.waitForLast("killed", "READY$");
    tmux.type("killed", "kill %1; sleep 1; jobs; echo JOBS-DONE");
    tmux.keys("killed", "Enter");
    const screen = await tmux.waitFor("killed", (l) => l.some((x) => x === "JOBS-DONE"));
    const after = screen.slice(screen.findIndex((x) => x.includes("kill %1"))).join("\n");
    // The job is gone (bash reports it Terminated), not Stopped again.
    expect(after).not.toMatch(/Stopped\s+bun run client/);
    expect(after).toMatch(/Terminated|Exit 143/);
  }, 20_000);

  test.skipIf(!HAS_NPM)(
    "started with `npm run client`: the same",
    async () => {
      await suspendAndResume("npmrun", "npm run client", "npmzed");
    },
    20_000,
  );
});
