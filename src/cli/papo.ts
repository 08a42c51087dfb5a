#!/usr/bin/env bun
/**
 * `papo`, the one-file program (`bun run build` writes dist/papo): `papo
 * server`, `papo client` and `papo export` are `bun run server`, `bun run
 * client` and `bun run export`, given the flags after the command's name.
 */

import packageJson from "../../package.json" with { type: "json" };
import { langFromEnv } from "../protocol/lang.ts";
import { main as exportMain } from "./export.ts";
import { PAPO_WORDS } from "./papo-help.ts";
import { main as clientMain } from "./run-client.ts";
import { main as serverMain } from "./run-server.ts";

const COMMANDS: Readonly<Record<string, (argv: string[]) => Promise<void>>> = {
  server: serverMain,
  client: clientMain,
  export: exportMain,
};

/** Run the command `argv` names with the rest of `argv`; --version and --help answer here. */
export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const words = PAPO_WORDS[langFromEnv(process.env)];
  if (command === "--version" || command === "-v") {
    process.stdout.write(`papo ${packageJson.version}\n`);
    return;
  }
  if (command === "--help" || command === "-h") {
    process.stdout.write(words.help);
    return;
  }
  if (command === undefined) {
    // No command is a mistake: the help on stderr, and a failing status.
    process.stderr.write(words.help);
    process.exit(1);
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run === undefined) {
    process.stderr.write(`${words.unknown(command)}\n`);
    process.exit(1);
  }
  await run(rest);
}

if (import.meta.main) await main(process.argv.slice(2));
