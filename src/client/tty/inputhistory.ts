/**
 * The lines a person typed, kept between runs for the arrow keys: a small
 * file under the user's data directory, newest last, at most historySize
 * lines. Only what was sent to the room goes in: never a name, the room's
 * password or an "/op PASSWORD" line. Where the file lives and what is
 * worth keeping are pure; reading and writing are the only I/O here.
 */

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { parseInput } from "../../protocol/parse.ts";

/**
 * The history file: $XDG_DATA_HOME/papo/history, else
 * ~/Library/Application Support/papo/history on macOS and
 * ~/.local/share/papo/history elsewhere. Null when there is no home to put it in.
 */
export function historyPath(
  env: Readonly<Record<string, string | undefined>>,
  platform: string,
  home: string | undefined,
): string | null {
  // The XDG spec: a relative value is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, "papo", "history");
  if (home === undefined || home === "") return null;
  if (platform === "darwin") return join(home, "Library", "Application Support", "papo", "history");
  return join(home, ".local", "share", "papo", "history");
}

/** Whether a line sent to the room belongs in the history: not blank, and no password in it. */
export function worthKeeping(line: string): boolean {
  const input = parseInput(line);
  return input.kind !== "empty" && input.kind !== "op";
}

/** Add `line` to the entries (newest first, readline's order) once, dropping the oldest past `size`. */
export function remember(entries: string[], line: string, size: number): void {
  const earlier = entries.indexOf(line);
  if (earlier !== -1) entries.splice(earlier, 1);
  entries.unshift(line);
  if (entries.length > size) entries.length = size;
}

/** The file's text (oldest first, one line each) as entries, newest first, at most `size`. */
export function parseHistory(text: string, size: number): string[] {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  return lines.slice(-size).reverse();
}

export class InputHistory {
  /** Newest first; readline browses this very array. */
  readonly entries: string[];
  /** Why the file could not be written, the first time it could not; shown once. */
  problem: string | null = null;

  private constructor(
    private readonly path: string | null,
    private readonly size: number,
    entries: string[],
  ) {
    this.entries = entries;
  }

  /** Read the file; a missing or unreadable one is an empty history. */
  static load(path: string | null, size: number): InputHistory {
    let entries: string[] = [];
    if (path !== null && size > 0) {
      try {
        entries = parseHistory(readFileSync(path, "utf8"), size);
      } catch {
        // No file yet (or none readable): start empty; saving will say if it cannot write.
      }
    }
    return new InputHistory(path, size, entries);
  }

  /** Keep a line that was sent (if worthKeeping) and save the file. */
  add(line: string): void {
    if (this.size <= 0 || !worthKeeping(line)) return;
    remember(this.entries, line, this.size);
    this.save();
  }

  private save(): void {
    if (this.path === null) return;
    const text = `${[...this.entries].reverse().join("\n")}\n`;
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      // Private: what someone typed in a chat is theirs.
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      writeFileSync(temporary, text, { mode: 0o600 });
      // A whole file or the old one, never half of one, even if two clients save at once.
      renameSync(temporary, this.path);
    } catch (error) {
      this.problem ??= error instanceof Error ? error.message : String(error);
    }
  }
}
