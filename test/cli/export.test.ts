/**
 * `bun run export` as a person runs it: a room kept by RoomStore (held
 * open, as a running server holds it, or closed), written as text, HTML and
 * JSON lines, picked by --since and --until, and one sentence for each
 * mistake; and a shared room read from its Redis stream.
 */

import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { say } from "../../src/protocol/messages.ts";
import { redacted } from "../../src/server/cluster/redis.ts";
import type { Recorded } from "../../src/server/room/journal.ts";
import { RoomStore } from "../../src/server/store/sqlite.ts";
import { type Ended, runToEnd } from "../support/cli.ts";
import { type RedisServer, startRedis } from "../support/redis.ts";
import { join as joinAs, serveShared } from "../support/server.ts";

const ROOT = join(import.meta.dir, "..", "..");

const dirs: string[] = [];
const stores: RoomStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function runExport(args: string[]): Promise<Ended> {
  return runToEnd([process.execPath, join(ROOT, "src/cli/export.ts"), ...args]);
}

/** Local time, as the export reads and writes it. */
const at = (day: number, hh: number, mm: number, ss = 0) =>
  new Date(2026, 11, day, hh, mm, ss).getTime();

const chat = (from: string, words: string, when: number): Recorded => ({
  line: { kind: "chat", from, text: `<${from}> ${words}` },
  at: when,
});

/**
 * A room "aula" in a fresh folder, open (its lock held, as a running
 * server's): a lesson on the 5th and one on the 6th of December 2026.
 */
async function lessons(): Promise<{ dir: string; store: RoomStore }> {
  const dir = mkdtempSync(join(tmpdir(), "papo-export-"));
  dirs.push(dir);
  const store = RoomStore.open(dir, "aula", { keepLines: 1000, keepDays: 0 });
  stores.push(store);
  store.turn("e1", 1, [
    { line: say("joined", "prof"), at: at(5, 9, 0) },
    chat("prof", "bom dia", at(5, 9, 1, 5)),
  ]);
  store.turn("e1", 3, [
    chat("ana", "is <script>alert(1)</script> & <b>bold</b> safe?", at(6, 14, 30, 10)),
    { line: { kind: "action", from: "bob", text: "* <bob> waves" }, at: at(6, 14, 31) },
    chat("prof", "até amanhã", at(6, 15, 0)),
  ]);
  await store.flushed();
  return { dir, store };
}

describe("bun run export", () => {
  test("text: one line per line, local date and time, while the room's lock is held", async () => {
    const { dir } = await lessons();
    const out = await runExport(["--data", dir, "--room", "aula"]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      [
        "2026-12-05 09:00:00  * prof joined",
        "2026-12-05 09:01:05  <prof> bom dia",
        "2026-12-06 14:30:10  <ana> is <script>alert(1)</script> & <b>bold</b> safe?",
        "2026-12-06 14:31:00  * <bob> waves",
        "2026-12-06 15:00:00  <prof> até amanhã",
        "",
      ].join("\n"),
    );
  });

  test("--since and --until: a date is its whole day, a time its minute, T or a space", async () => {
    const { dir } = await lessons();
    const run = async (...range: string[]) =>
      (await runExport(["--data", dir, "--room", "aula", ...range])).stdout
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => l.slice(21));
    expect(await run("--until", "2026-12-05")).toEqual(["* prof joined", "<prof> bom dia"]);
    expect(await run("--since", "2026-12-06")).toHaveLength(3);
    expect(await run("--since", "2026-12-06 14:31", "--until", "2026-12-06T14:59")).toEqual([
      "* <bob> waves",
    ]);
    expect(await run("--since", "2026-12-05 09:01", "--until", "2026-12-06 14:30")).toEqual([
      "<prof> bom dia",
      "<ana> is <script>alert(1)</script> & <b>bold</b> safe?",
    ]);
    expect(await run("--since", "2027-01-01")).toEqual([]);
  });

  test("html: one page, every line escaped, no script, names in the page's colours", async () => {
    const { dir } = await lessons();
    const out = await runExport(["--data", dir, "--room", "aula", "--format", "html"]);
    expect(out.code).toBe(0);
    const page = out.stdout;
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page).toContain("<title>papo: room aula, 2026-12-05 to 2026-12-06</title>");
    expect(page).not.toContain("<script");
    expect(page).not.toContain("<b>");
    expect(page).toContain(
      "is &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; safe?",
    );
    expect(page).toContain("até amanhã");
    expect(page).toMatch(/<span class="who c\d">\* &lt;bob&gt;<\/span> <span class="text">waves/);
    // Self-contained: nothing is fetched from anywhere.
    expect(page).not.toMatch(/\b(src|href)=/);
    expect(page).toContain("default-src 'none'");
  });

  test("json: one object per line with at (ISO), kind, from and text", async () => {
    const { dir } = await lessons();
    const out = await runExport(["--data", dir, "--room", "aula", "--format", "json"]);
    const lines = out.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toEqual({
      at: new Date(at(5, 9, 0)).toISOString(),
      kind: "notice",
      from: "",
      text: "* prof joined",
    });
    expect(lines[3]).toEqual({
      at: new Date(at(6, 14, 31)).toISOString(),
      kind: "action",
      from: "bob",
      text: "* <bob> waves",
    });
  });

  test("a block: its lines under its head in text, one <pre> in HTML, `lines` in JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "papo-export-"));
    dirs.push(dir);
    const store = RoomStore.open(dir, "aula", { keepLines: 1000, keepDays: 0 });
    stores.push(store);
    const code = ["def f(x):", "\tif x < 1:", "", "    return </pre><b>x\u001b[2J"];
    const text = code.map((l) => (l === "" ? "<ana> |" : `<ana> | ${l}`)).join("\n");
    store.turn("e1", 1, [
      { line: { kind: "chat", from: "ana", text }, at: at(6, 14, 30, 10) },
      chat("bob", "nice", at(6, 14, 31)),
    ]);
    await store.flushed();
    const clean = [...code.slice(0, 3), "    return </pre><b>x"];
    const run = async (format: string) =>
      (await runExport(["--data", dir, "--room", "aula", "--format", format])).stdout;
    expect(await run("text")).toBe(
      [
        "2026-12-06 14:30:10  <ana>",
        "                     | def f(x):",
        "                     | \tif x < 1:",
        "                     |",
        "                     |     return </pre><b>x",
        "2026-12-06 14:31:00  <bob> nice",
        "",
      ].join("\n"),
    );
    const page = await run("html");
    expect(page).toMatch(
      /<div class="line chat block"><time [^>]*>14:30:10<\/time> <span class="who c\d">&lt;ana&gt;<\/span><pre class="text">def f\(x\):\n\tif x &lt; 1:\n\n {4}return &lt;\/pre&gt;&lt;b&gt;x<\/pre><\/div>/,
    );
    expect(page).toContain("white-space:pre;");
    expect(page).not.toContain("<b>");
    const [block, after] = (await run("json"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(block).toEqual({
      at: new Date(at(6, 14, 30, 10)).toISOString(),
      kind: "chat",
      from: "ana",
      text: clean.map((l) => (l === "" ? "<ana> |" : `<ana> | ${l}`)).join("\n"),
      lines: clean,
    });
    expect(after.text).toBe("<bob> nice");
  });

  test("--out writes the file; a room no server holds reads the same", async () => {
    const { dir, store } = await lessons();
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const file = join(dir, "aula.txt");
    const out = await runExport(["--data", dir, "--room", "aula", "--out", file]);
    expect(out).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(6);
  });

  test("mistakes: one sentence on stderr, exit 1", async () => {
    const { dir } = await lessons();
    writeFileSync(
      join(dir, "junk.db"),
      "this is not a database at all, not even close".repeat(100),
    );
    const cases: Array<[string[], string]> = [
      [["--data", dir, "--room", "nope"], `papo: no room nope: there is no ${dir}/nope.db\n`],
      [
        ["--data", dir, "--room", "junk"],
        `papo: cannot read ${dir}/junk.db: it is not a papo database\n`,
      ],
      [
        ["--room", "../etc"],
        'papo: room name "../etc" must be 1 to 64 letters, digits, "_", "-" or "." (not first)\n',
      ],
      [["--format", "pdf"], 'papo: --format must be one of text, html, json, got "pdf"\n'],
      [
        ["--since", "yesterday"],
        'papo: --since must be a date (2026-12-06), a date and time (2026-12-06 14:30) or a time today (14:30), got "yesterday"\n',
      ],
      [
        ["--until", "2026-02-30"],
        'papo: --until must be a date (2026-12-06), a date and time (2026-12-06 14:30) or a time today (14:30), got "2026-02-30"\n',
      ],
      [
        ["--since", "2026-12-07", "--until", "2026-12-06"],
        "papo: --since 2026-12-07 is not before --until 2026-12-06\n",
      ],
      [
        ["--data", dir, "--redis", "redis://127.0.0.1:1"],
        "papo: --data and --redis are two places a room is kept: give one\n",
      ],
      [["--bogus"], "papo: unknown option '--bogus' (try --help)\n"],
      [
        ["--data", dir, "--room", "aula", "--out", join(dir, "no", "such", "file")],
        `papo: cannot write ${join(dir, "no", "such", "file")}: no such folder\n`,
      ],
    ];
    for (const [args, stderr] of cases) {
      const out = await runExport(args);
      expect({ args, ...out }).toEqual({ args, code: 1, stdout: "", stderr });
    }
  });

  test("--help says how, and what each flag takes", async () => {
    const out = await runExport(["--help"]);
    expect(out.code).toBe(0);
    for (const flag of [
      "--format text|html|json",
      "--since",
      "--until",
      "--room",
      "--data",
      "--redis",
      "--out",
    ]) {
      expect(out.stdout).toContain(flag);
    }
  });
});

describe("bun run export --redis", () => {
  let redis: RedisServer | null = null;
  afterAll(() => redis?.stop());

  test("a shared room's stream: members' lines and the room's notices, in order", async () => {
    redis = await startRedis();
    const room = `export-${process.pid}`;
    const server = await serveShared(redis.url, room);
    const ana = await joinAs(server, "ana");
    const bob = await joinAs(server, "bob");
    await ana.until((l) => l === "* bob joined");
    ana.send("hi <b>all</b>");
    expect(await bob.next()).toBe("<ana> hi <b>all</b>");
    bob.send("/me waves");
    expect(await ana.next()).toBe("* <bob> waves");
    ana.writeAll(["```", "if x:", "", "  y", "```"].map((l) => `${l}\n`));
    expect(await bob.next()).toBe("<ana> | if x:");
    await bob.next();
    expect(await bob.next()).toBe("<ana> |   y");
    const out = await runExport(["--redis", redis.url, "--room", room]);
    expect(out.stderr).toBe("");
    expect(out.stdout.split("\n").map((l) => l.slice(21))).toEqual([
      "* ana joined",
      "* bob joined",
      "<ana> hi <b>all</b>",
      "* <bob> waves",
      "<ana>",
      "| if x:",
      "|",
      "|   y",
      "",
    ]);
    const html = await runExport(["--redis", redis.url, "--room", room, "--format", "html"]);
    expect(html.stdout).toContain("hi &lt;b&gt;all&lt;/b&gt;");
    const none = await runExport(["--redis", redis.url, "--room", "empty"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      `papo: no room empty: Redis at ${redacted(redis.url)} has no papo:empty:log\n`,
    );
  });
});
