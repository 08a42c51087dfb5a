/**
 * The client's command line where it meets the server's: the same short
 * flags, and the same words for a flag it cannot parse, in its own sentence.
 */

import { expect, test } from "bun:test";
import { runCli, runServer } from "../support/cli.ts";

function runClient(args: string[]) {
  const env: Record<string, string | undefined> = { ...process.env, LANG: "C.UTF-8" };
  delete env.LC_ALL;
  delete env.LC_MESSAGES;
  return runCli("client", args, env);
}

test("a flag the client cannot parse: the server's words, as a sentence, and try --help", async () => {
  for (const [args, problem] of [
    [["--x"], "unknown option '--x'"],
    [["--port"], "--port needs a value"],
    [["extra"], "unexpected argument 'extra'"],
  ] as const) {
    const client = await runClient([...args]);
    const server = await runServer([...args]);
    expect(server.stderr).toBe(`papo: ${problem} (try --help)\n`);
    expect(client.code).toBe(1);
    expect(client.stderr).toBe(`${problem[0]?.toUpperCase()}${problem.slice(1)}. Try --help.\n`);
  }
});

test("-p and -h mean the same in the client and the server", async () => {
  const client = await runClient(["-h"]);
  const server = await runServer(["-h"]);
  expect(client.code).toBe(0);
  expect(server.code).toBe(0);
  expect(client.stdout).toContain("--port, -p N");
  expect(server.stdout).toContain("--port, -p N");
  expect(client.stdout).toContain("--help, -h");
  expect(server.stdout).toContain("--help, -h");
});
