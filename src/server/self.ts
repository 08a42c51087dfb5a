/**
 * papo's own commands as a new process starts them: from a checkout, Bun
 * running the command's entry file (`bun src/cli/export.ts`); in the
 * one-file papo (`bun run build`, scripts/build.ts), the executable itself
 * with the command's name (`papo export`), since its entry files are
 * inside it and not on disk.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";

/** The commands a running papo starts: --workers' servers, an operator's transcript. */
export type SelfCommand = "server" | "export";

/** Each command's entry file in src/cli, for a checkout. */
const ENTRY: Readonly<Record<SelfCommand, string>> = {
  server: "run-server.ts",
  export: "export.ts",
};

/**
 * How a person types papo's `command` here: `papo export` in the one-file
 * papo, `bun run export` in a checkout (for --help and the server's hints).
 */
export function commandLine(command: SelfCommand | "client"): string {
  return Bun.isStandaloneExecutable ? `papo ${command}` : `bun run ${command}`;
}

/** The argv that starts `command` (its flags follow). */
export function selfCommand(command: SelfCommand): string[] {
  if (Bun.isStandaloneExecutable) return [runningFile(), command];
  return [process.execPath, join(import.meta.dir, "..", "cli", ENTRY[command])];
}

/** Linux's name for the file this process runs, whatever is at its path now. */
const PROC_SELF_EXE = "/proc/self/exe";

/**
 * The one-file papo's own file. An upgrade that puts a new papo at its path
 * (`mv papo.new papo`) leaves process.execPath naming the new file, which
 * may not speak this one's flags, or the old path gone; /proc/self/exe is
 * still the file that is running, until the restart that follows an upgrade.
 */
function runningFile(): string {
  return process.platform === "linux" && existsSync(PROC_SELF_EXE)
    ? PROC_SELF_EXE
    : process.execPath;
}
