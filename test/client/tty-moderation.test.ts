/**
 * The terminal client under moderation, through a real pseudo-terminal
 * (tmux, see tmux.ts): a line the server refuses (muted, slow or quiet mode)
 * comes back into the input line, so nothing typed is lost.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SERVER_DEFAULTS } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { join as joinRoom } from "../support/server.ts";
import { lastLine, SKIP_TMUX, Tmux } from "./tmux.ts";

if (SKIP_TMUX) console.warn("tmux is not on PATH: skipping the interactive end-to-end tests");

let server: RunningServer;
const tmux = new Tmux();
const at = (...args: string[]) => ({ args: ["--port", String(server.port), ...args] });

describe.skipIf(SKIP_TMUX)("moderation in a real terminal (tmux)", () => {
  beforeAll(async () => {
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

  test("a refused line comes back into the input line; sent again once allowed", async () => {
    const prof = await joinRoom(server, "prof");
    prof.send("/op pw");
    await prof.until((l) => l === "* you are now an operator");
    tmux.start("muted", at("--name", "ana"));
    await tmux.waitForLast("muted", "ana>");
    await prof.until((l) => l === "* ana joined");
    prof.send("/mute ana");
    await tmux.waitFor("muted", (l) => l.some((line) => line.endsWith("* prof muted ana")));

    tmux.type("muted", "may I ask something?");
    tmux.keys("muted", "Enter");
    const refused = await tmux.waitFor("muted", (l) =>
      l.some((line) => line.endsWith("! you are muted: you read but cannot speak")),
    );
    await tmux.waitForLast("muted", "ana> may I ask something?");
    expect(
      refused.some((line) => line.endsWith("! you are muted: you read but cannot speak")),
    ).toBe(true);

    prof.send("/unmute ana");
    await tmux.waitFor("muted", (l) => l.some((line) => line.endsWith("* prof unmuted ana")));
    expect(lastLine(tmux.screen("muted"))).toBe("ana> may I ask something?");
    tmux.keys("muted", "Enter");
    expect(await prof.until((l) => l.startsWith("<ana>"))).toBe("<ana> may I ask something?");

    // Slow mode: the second line is refused and given back; a line being typed stays as it is.
    prof.send("/slow 30");
    await tmux.waitFor("muted", (l) => l.some((line) => line.includes("slow mode on")));
    tmux.type("muted", "one more");
    tmux.keys("muted", "Enter");
    expect(await prof.until((l) => l.startsWith("<ana>"))).toBe("<ana> one more");
    tmux.type("muted", "and another");
    tmux.keys("muted", "Enter");
    await tmux.waitFor("muted", (l) => l.some((line) => line.endsWith("! slow mode: wait 30 s")));
    await tmux.waitForLast("muted", "ana> and another");
    tmux.keys("muted", "C-u");
    await tmux.waitForLast("muted", "ana>");
    tmux.keys("muted", "C-c");
    expect(await tmux.exited("muted")).toBe(0);
  }, 20_000);
});
