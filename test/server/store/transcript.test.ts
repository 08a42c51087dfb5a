/**
 * The transcript's pure parts: the dates --since and --until take, the
 * three formats, a shared room's stream entries as lines, and the name
 * colours, which must stay the web page's.
 */

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NAME_COLORS, nameColor } from "../../../src/client/tty/render.ts";
import { say } from "../../../src/protocol/messages.ts";
import { encodeBatch } from "../../../src/server/cluster/events.ts";
import type { StoredLine } from "../../../src/server/store/rows.ts";
import {
  EVERYTHING,
  escapeHtml,
  linesOfStream,
  NAME_PALETTE,
  parseWhen,
  rangeOf,
  toHtml,
  toJsonLines,
  toText,
  transcriptFileName,
  within,
} from "../../../src/server/store/transcript.ts";

const local = (...parts: [number, number, number, number?, number?, number?]) => {
  const [y, m, d, hh = 0, mm = 0, ss = 0] = parts;
  return new Date(y, m - 1, d, hh, mm, ss).getTime();
};
const NOW = new Date(local(2026, 12, 6, 16, 0));

const LINES: StoredLine[] = [
  { at: local(2026, 12, 6, 14, 0), kind: "notice", from: "", text: "* ana joined" },
  { at: local(2026, 12, 6, 14, 1, 2), kind: "chat", from: "ana", text: '<ana> 1 < 2 & "ok"' },
  { at: local(2026, 12, 7, 9, 5), kind: "action", from: "bob", text: "* <bob> waves" },
];

describe("parseWhen", () => {
  test("a day, a minute (space or T), a second, a time today", () => {
    expect(parseWhen("2026-12-06", NOW)).toEqual({
      from: local(2026, 12, 6),
      to: local(2026, 12, 7),
    });
    const minute = { from: local(2026, 12, 6, 14, 30), to: local(2026, 12, 6, 14, 31) };
    expect(parseWhen("2026-12-06 14:30", NOW)).toEqual(minute);
    expect(parseWhen("2026-12-06T14:30", NOW)).toEqual(minute);
    expect(parseWhen("14:30", NOW)).toEqual(minute);
    expect(parseWhen("9:05:30", NOW)).toEqual({
      from: local(2026, 12, 6, 9, 5, 30),
      to: local(2026, 12, 6, 9, 5, 31),
    });
    expect(parseWhen("2026-12-31", NOW)?.to).toBe(local(2027, 1, 1));
  });

  test("anything else, or no such day or time, is null", () => {
    for (const bad of [
      "",
      "yesterday",
      "2026-13-01",
      "2026-02-30",
      "24:00",
      "14:60",
      "14:30:60",
      "2026/12/06",
      "1430",
    ]) {
      expect(parseWhen(bad, NOW)).toBeNull();
    }
  });
});

describe("rangeOf", () => {
  test("from the start of --since to the end of --until", () => {
    expect(rangeOf(undefined, undefined, NOW)).toEqual(EVERYTHING);
    expect(rangeOf("2026-12-06", "2026-12-06", NOW)).toEqual({
      from: local(2026, 12, 6),
      to: local(2026, 12, 7),
    });
    expect(within(LINES, rangeOf("14:01", undefined, NOW) as never)).toEqual(LINES.slice(1));
    expect(within(LINES, rangeOf(undefined, "14:01", NOW) as never)).toEqual(LINES.slice(0, 2));
  });

  test("a problem in one sentence", () => {
    expect(rangeOf("soon", undefined, NOW)).toEqual({
      problem:
        '--since must be a date (2026-12-06), a date and time (2026-12-06 14:30) or a time today (14:30), got "soon"',
    });
    expect(rangeOf("15:00", "14:00", NOW)).toEqual({
      problem: "--since 15:00 is not before --until 14:00",
    });
  });
});

describe("formats", () => {
  test("text: local date and time, two spaces, the line", () => {
    expect(toText(LINES)).toBe(
      '2026-12-06 14:00:00  * ana joined\n2026-12-06 14:01:02  <ana> 1 < 2 & "ok"\n2026-12-07 09:05:00  * <bob> waves\n',
    );
    expect(toText([])).toBe("");
  });

  test("json lines: at in ISO 8601, kind, from, text", () => {
    const [first, second] = toJsonLines(LINES).split("\n");
    expect(JSON.parse(first as string)).toEqual({
      at: new Date(local(2026, 12, 6, 14, 0)).toISOString(),
      kind: "notice",
      from: "",
      text: "* ana joined",
    });
    expect(JSON.parse(second as string).text).toBe('<ana> 1 < 2 & "ok"');
  });

  test("html: a heading per day, names in their colour, the rest escaped", () => {
    const page = toHtml(LINES, "aula");
    expect(page).toContain("<title>papo: room aula, 2026-12-06 to 2026-12-07</title>");
    expect(page).toContain("<h2>2026-12-06</h2>");
    expect(page).toContain("<h2>2026-12-07</h2>");
    const ana = NAME_COLORS.indexOf(nameColor("ana"));
    expect(page).toContain(
      `<span class="who c${ana}">&lt;ana&gt;</span> <span class="text">1 &lt; 2 &amp; &quot;ok&quot;</span>`,
    );
    expect(page).toContain('<div class="line notice">');
    expect(page).not.toContain("<script");
    expect(toHtml([], "aula")).toContain("Nothing was said in this range.");
  });

  test("a line that does not start with its sayer's name is shown whole", () => {
    const odd: StoredLine = { at: 0, kind: "chat", from: "ana", text: "<bob> not ana's" };
    expect(toHtml([odd], "r")).toContain('<span class="text">&lt;bob&gt; not ana&#39;s</span>');
  });

  test("a block: its head, then its lines as written; one <pre>; `lines` in JSON", () => {
    const lines = ["if a < b:", "", "\treturn </pre>"];
    const block: StoredLine = {
      at: local(2026, 12, 6, 14, 2),
      kind: "chat",
      from: "ana",
      text: "<ana> | if a < b:\n<ana> |\n<ana> | \treturn </pre>",
    };
    expect(toText([block])).toBe(
      "2026-12-06 14:02:00  <ana>\n                     | if a < b:\n                     |\n                     | \treturn </pre>\n",
    );
    expect(JSON.parse(toJsonLines([block]))).toMatchObject({ text: block.text, lines });
    const ana = NAME_COLORS.indexOf(nameColor("ana"));
    expect(toHtml([block], "r")).toContain(
      `<span class="who c${ana}">&lt;ana&gt;</span><pre class="text">if a &lt; b:\n\n\treturn &lt;/pre&gt;</pre></div>`,
    );
    // A block whose lines are not all its sayer's is no block: shown as kept.
    const odd: StoredLine = { ...block, text: "<ana> | a\n<bob> | b" };
    expect(toText([odd])).toBe("2026-12-06 14:02:00  <ana> | a\n<bob> | b\n");
  });

  test("escapeHtml leaves no markup", () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
  });

  test("the file name: room and day", () => {
    expect(transcriptFileName("aula", local(2026, 12, 6, 23, 59))).toBe(
      "papo-aula-2026-12-06.html",
    );
    expect(transcriptFileName("aula", local(2026, 12, 6), "json")).toBe(
      "papo-aula-2026-12-06.jsonl",
    );
  });

  test("the name colours are the web page's (src/web/style.css)", () => {
    const css = readFileSync(join(import.meta.dir, "../../../src/web/style.css"), "utf8");
    const [light, dark] = css.split("@media (prefers-color-scheme: dark)");
    const palette = (text: string) =>
      [...text.matchAll(/--c(\d): (#[0-9a-f]{6});/g)].map((m) => m[2]);
    expect(palette(light as string)).toEqual([...NAME_PALETTE.light]);
    expect(palette(dark as string)).toEqual([...NAME_PALETTE.dark]);
  });
});

describe("linesOfStream", () => {
  const entry = (ms: number, n: number, batch: unknown) => ({
    id: `${ms}-${n}`,
    text: typeof batch === "string" ? batch : encodeBatch(batch as never),
  });

  test("members' lines and the room's notices, each at its entry's time; a batch stored twice once", () => {
    const lines = linesOfStream([
      entry(1000, 0, ["n1", 1, [["j", "ana", "127.0.0.1", say("joined", "ana")]]]),
      entry(2000, 0, [
        "n1",
        2,
        [
          ["s", "<ana> hi", 1],
          ["s", "* <ana> waves\u001b[2J", 1],
        ],
      ]),
      entry(2000, 1, ["n1", 2, [["s", "<ana> hi", 1]]]),
      entry(3000, 0, [
        "n2",
        1,
        [
          ["m", "ana", "bob", "private"],
          ["p", "bob", null],
          ["r", "ana", "ann", say("renamed", "ana", "ann")],
        ],
      ]),
      entry(4000, 0, "not a batch"),
      { id: "5000-0", text: null },
      entry(6000, 0, [
        "n1",
        3,
        [
          ["s", "no name here"],
          ["a", say("topicSet", "ann", "fractions")],
          ["p", "ann", say("left", "ann")],
        ],
      ]),
    ]);
    expect(lines.map((l) => [l.at, l.kind, l.from, l.text])).toEqual([
      [1000, "notice", "", "* ana joined"],
      [2000, "chat", "ana", "<ana> hi"],
      [2000, "action", "ana", "* <ana> waves"],
      [3000, "notice", "", "* ana is now known as ann"],
      [6000, "notice", "", "* ann set the topic: fractions"],
      [6000, "notice", "", "* ann left"],
    ]);
  });
});
