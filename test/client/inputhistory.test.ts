import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  historyPath,
  InputHistory,
  parseHistory,
  remember,
  worthKeeping,
} from "../../src/client/tty/inputhistory.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "papo-history-"));
  dirs.push(dir);
  return dir;
};

describe("where the history lives", () => {
  test("XDG_DATA_HOME first, then the platform's place", () => {
    expect(historyPath({ XDG_DATA_HOME: "/x/data" }, "linux", "/home/ana")).toBe(
      "/x/data/papo/history",
    );
    expect(historyPath({ XDG_DATA_HOME: "/x/data" }, "darwin", "/Users/ana")).toBe(
      "/x/data/papo/history",
    );
    expect(historyPath({}, "linux", "/home/ana")).toBe("/home/ana/.local/share/papo/history");
    expect(historyPath({}, "darwin", "/Users/ana")).toBe(
      "/Users/ana/Library/Application Support/papo/history",
    );
  });

  test("a relative XDG_DATA_HOME is ignored (the spec says so); no home, no file", () => {
    expect(historyPath({ XDG_DATA_HOME: "rel" }, "linux", "/home/ana")).toBe(
      "/home/ana/.local/share/papo/history",
    );
    expect(historyPath({}, "linux", undefined)).toBeNull();
  });
});

describe("what is kept", () => {
  test("messages and commands, never /op with its password, never blanks", () => {
    expect(worthKeeping("hello")).toBe(true);
    expect(worthKeeping("/msg bob hi")).toBe(true);
    expect(worthKeeping("/op s3nha")).toBe(false);
    expect(worthKeeping("/OP s3nha")).toBe(false);
    expect(worthKeeping("   ")).toBe(false);
  });

  test("newest first, once each, at most the size", () => {
    const entries = ["b", "a"];
    remember(entries, "c", 3);
    expect(entries).toEqual(["c", "b", "a"]);
    remember(entries, "a", 3);
    expect(entries).toEqual(["a", "c", "b"]);
    remember(entries, "d", 3);
    expect(entries).toEqual(["d", "a", "c"]);
  });

  test("the file is oldest first; only its last lines are read", () => {
    expect(parseHistory("one\ntwo\n\nthree\n", 2)).toEqual(["three", "two"]);
  });
});

describe("InputHistory on disk", () => {
  test("saved as sent, read back by the next run, bounded, private", () => {
    const path = join(tempDir(), "deep", "papo", "history");
    const first = InputHistory.load(path, 3);
    expect(first.entries).toEqual([]);
    for (const line of ["one", "/op secret", "two", "three", "four"]) first.add(line);
    expect(readFileSync(path, "utf8")).toBe("two\nthree\nfour\n");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = InputHistory.load(path, 3);
    expect(second.entries).toEqual(["four", "three", "two"]);
    expect(first.problem).toBeNull();
  });

  test("a file from a run with a bigger history is cut to size when read", () => {
    const path = join(tempDir(), "history");
    writeFileSync(path, "a\nb\nc\nd\n");
    expect(InputHistory.load(path, 2).entries).toEqual(["d", "c"]);
  });

  test("a history that cannot be written says why, once, and keeps working in memory", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "file"), "");
    const history = InputHistory.load(join(dir, "file", "history"), 5);
    history.add("hello");
    expect(history.entries).toEqual(["hello"]);
    expect(history.problem).not.toBeNull();
  });

  test("without a path nothing is written", () => {
    const history = InputHistory.load(null, 5);
    history.add("hello");
    expect(history.entries).toEqual(["hello"]);
    expect(history.problem).toBeNull();
  });
});
