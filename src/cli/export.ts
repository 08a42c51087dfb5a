#!/usr/bin/env bun
/**
 * `bun run export`: the room's log as a transcript (plain text, one HTML
 * page, or JSON lines) on stdout or in a file, read from the room's
 * database (a server may be running on it) or a shared room's Redis stream.
 */

import { writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { commandLine } from "../server/self.ts";
import { defaultDataDir, roomFiles, roomNameProblem } from "../server/store/place.ts";
import { ReadError, readStore, readStream } from "../server/store/read.ts";
import type { StoredLine } from "../server/store/rows.ts";
import { FORMATS, type Format, rangeOf, transcript } from "../server/store/transcript.ts";
import {
  argsOptions,
  argsProblem,
  FlagError,
  type FlagSpec,
  isParseArgsError,
  parseFlags,
  usage,
} from "./flags.ts";

interface ExportConfig {
  format: Format;
  out: string;
  since: string;
  until: string;
  room: string;
  data: string;
  redis: string;
}

const FLAGS: FlagSpec<ExportConfig> = {
  format: { type: "choice", choices: FORMATS, help: "what to write", key: "format" },
  out: { type: "string", help: "write to this file; stdout without it", key: "out" },
  since: {
    type: "string",
    help: "lines from then on: 2026-12-06, 2026-12-06 14:30 or 14:30 (today)",
    key: "since",
  },
  until: {
    type: "string",
    help: "lines up to then, included: a date is its whole day, 14:30 its minute",
    key: "until",
  },
  room: { type: "string", help: "the room's name, as the server's --room", key: "room" },
  data: { type: "string", help: "folder the room is kept in, as the server's --data", key: "data" },
  redis: {
    type: "string",
    help: "read a shared room's Redis stream instead: its lines, joins, leaves, renames and topic",
    key: "redis",
  },
};

const defaults = (): ExportConfig => ({
  format: "text",
  out: "",
  since: "",
  until: "",
  room: "papo",
  data: defaultDataDir(process.env, homedir()),
  redis: "",
});

async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ...argsOptions(FLAGS), help: { type: "boolean", short: "h" } },
    strict: true,
  });
  if (values.help) {
    const title = "papo export: the room's log as a transcript, in local time";
    const extra: Array<[string, string]> = [["--help, -h", "show this help"]];
    const synopsis = `${commandLine("export")} [options]`;
    process.stdout.write(usage(synopsis, title, FLAGS, defaults(), extra));
    return;
  }
  const given = values as Record<string, string | undefined>;
  const config = parseFlags(FLAGS, given, defaults());
  const problem = roomNameProblem(config.room);
  if (problem !== null) throw new FlagError(problem);
  if (config.redis !== "" && given.data !== undefined) {
    throw new FlagError("--data and --redis are two places a room is kept: give one");
  }
  const now = new Date();
  const range = rangeOf(given.since, given.until, now);
  if ("problem" in range) throw new FlagError(range.problem);
  let lines: StoredLine[];
  try {
    lines =
      config.redis === ""
        ? readStore(roomFiles(resolve(config.data), config.room).db, range)
        : await readStream(config.redis, config.room, range);
  } catch (error) {
    if (!(error instanceof ReadError && error.code === "ENOENT")) throw error;
    throw new FlagError(`no room ${config.room}: ${error.message}`);
  }
  const text = transcript(config.format, lines, config.room);
  if (config.out === "") {
    await Bun.write(Bun.stdout, text);
    return;
  }
  try {
    writeFileSync(config.out, text);
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    const why =
      code === "ENOENT" ? "no such folder" : code === "EACCES" ? "permission denied" : code;
    throw new FlagError(`cannot write ${config.out}: ${why || "unwritable"}`);
  }
}

/** `bun run export` and `papo export`: write the transcript, or one sentence and exit 1. */
export async function main(argv: string[]): Promise<void> {
  try {
    await run(argv);
  } catch (error) {
    // Expected failures get one sentence; anything else is a bug and keeps its stack.
    if (isParseArgsError(error)) {
      process.stderr.write(`papo: ${argsProblem(error)} (try --help)\n`);
      process.exit(1);
    }
    if (!(error instanceof FlagError || error instanceof ReadError)) throw error;
    process.stderr.write(`papo: ${error.message}\n`);
    process.exit(1);
  }
}

if (import.meta.main) await main(process.argv.slice(2));
