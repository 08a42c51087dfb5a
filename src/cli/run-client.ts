#!/usr/bin/env bun
/** `bun run client`: parse flags, pick interactive or piped mode, run it, exit with its status. */

import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { parseArgs } from "node:util";
import { EXIT } from "../client/core/outcome.ts";
import { type Flags, resolveOptions } from "../client/options.ts";
import { runPiped } from "../client/piped.ts";
import { langFromEnv, STRINGS } from "../client/strings.ts";
import { runInteractive } from "../client/tty/tty.ts";
import { commandLine } from "../server/self.ts";
import { argsProblem, isParseArgsError } from "./flags.ts";

function parseFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string" },
      port: { type: "string", short: "p" },
      name: { type: "string", short: "n" },
      lang: { type: "string" },
      "password-env": { type: "string" },
      "no-color": { type: "boolean" },
      "no-bell": { type: "boolean" },
      tls: { type: "boolean" },
      ca: { type: "string" },
      insecure: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  return values;
}

async function run(argv: string[]): Promise<number> {
  let flags: Flags;
  try {
    flags = parseFlags(argv);
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    // The same words as the server's, as a sentence in the client's way of writing.
    const problem = argsProblem(error);
    const sentence = problem.charAt(0).toUpperCase() + problem.slice(1);
    process.stderr.write(`${STRINGS[langFromEnv(process.env)].badOption(sentence)}\n`);
    return EXIT.failed;
  }
  const resolved = resolveOptions(flags, {
    env: process.env,
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    platform: process.platform,
    home: process.env.HOME || homedir(),
    readFile: (path) => readFileSync(path, "utf8"),
  });
  if (resolved.kind === "help") {
    // The strings name the checkout's command; the one-file papo has its own.
    process.stdout.write(`${resolved.text.replace("bun run client", commandLine("client"))}\n`);
    return EXIT.ok;
  }
  if (resolved.kind === "error") {
    process.stderr.write(`${resolved.message}\n`);
    return EXIT.failed;
  }
  const { options } = resolved;
  if (options.config.tls?.insecure) process.stderr.write(`${options.strings.insecureWarning}\n`);
  if (options.interactive) return runInteractive(options);
  return runPiped(options, {
    input: Bun.stdin.stream(),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}

/** `bun run client` and `papo client`: run, then exit with the run's status. */
export async function main(argv: string[]): Promise<never> {
  const code = await run(argv);
  // Let what is still buffered for a pipe reach it before the process goes.
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}

if (import.meta.main) await main(process.argv.slice(2));
