/**
 * A room's transcript, for the teacher: the room's kept lines as plain
 * text, one self-contained HTML page, or JSON lines, and the dates that
 * pick them (--since, --until), all in local time. Pure: lines and a clock
 * in, text out. Reading the lines is read.ts's; `bun run export` is
 * cli/export.ts, and the web page's download is transport/http.ts.
 */

import { NAME_COLORS, nameColor } from "../../client/tty/render.ts";
import { blockLines, isBlockText } from "../../protocol/block.ts";
import { isNotice, render, SERVER_TEXT } from "../../protocol/messages.ts";
import { sanitize } from "../../protocol/sanitize.ts";
import { decodeBatch } from "../cluster/events.ts";
import { idTime } from "../cluster/redis-keys.ts";
import type { StoredLine } from "./rows.ts";

export type Format = "text" | "html" | "json";
export const FORMATS: readonly Format[] = ["text", "html", "json"];

/** A span of time in ms since the epoch, `from` included, `to` not; either end may be open. */
export interface Range {
  readonly from: number;
  readonly to: number;
}

/** The whole log. */
export const EVERYTHING: Range = { from: -Infinity, to: Infinity };

/** How --since and --until may be written, for their error sentence and --help. */
export const WHEN_FORMS =
  "a date (2026-12-06), a date and time (2026-12-06 14:30) or a time today (14:30)";

/**
 * The span of local time `text` names: a whole day ("2026-12-06"), a minute
 * ("2026-12-06 14:30", "2026-12-06T14:30", "14:30" today) or a second
 * ("14:30:05"). Null when it is none of them, or no such day or time.
 */
export function parseWhen(text: string, now: Date): Range | null {
  const t = text.trim();
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (day !== null) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (!isDay(y, m, d)) return null;
    return { from: new Date(y, m - 1, d).getTime(), to: new Date(y, m - 1, d + 1).getTime() };
  }
  const full = /^(?:(\d{4})-(\d{2})-(\d{2})[T ])?(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (full === null) return null;
  const y = full[1] === undefined ? now.getFullYear() : Number(full[1]);
  const m = full[2] === undefined ? now.getMonth() + 1 : Number(full[2]);
  const d = full[3] === undefined ? now.getDate() : Number(full[3]);
  const [hh, mm] = [Number(full[4]), Number(full[5])];
  const ss = full[6] === undefined ? null : Number(full[6]);
  if (!isDay(y, m, d) || hh > 23 || mm > 59 || (ss ?? 0) > 59) return null;
  const from = new Date(y, m - 1, d, hh, mm, ss ?? 0).getTime();
  return { from, to: from + (ss === null ? 60_000 : 1_000) };
}

function isDay(y: number, m: number, d: number): boolean {
  const date = new Date(y, m - 1, d);
  return date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d;
}

/**
 * The lines between --since and --until: from the start of what `since`
 * names to the end of what `until` names, so "--until 2026-12-06" keeps
 * that whole day and "--until 14:30" the lines said at 14:30. A problem,
 * in one sentence, when either cannot be read or they are the wrong way round.
 */
export function rangeOf(
  since: string | undefined,
  until: string | undefined,
  now: Date,
): Range | { problem: string } {
  const start = since === undefined ? EVERYTHING : parseWhen(since, now);
  if (start === null) return { problem: `--since must be ${WHEN_FORMS}, got "${since}"` };
  const end = until === undefined ? EVERYTHING : parseWhen(until, now);
  if (end === null) return { problem: `--until must be ${WHEN_FORMS}, got "${until}"` };
  if (start.from >= end.to) return { problem: `--since ${since} is not before --until ${until}` };
  return { from: start.from, to: end.to };
}

/** The lines said within `range`. */
export function within(lines: readonly StoredLine[], range: Range): StoredLine[] {
  return lines.filter((l) => l.at >= range.from && l.at < range.to);
}

/**
 * Lines from a shared room's Redis stream entries (id and batch text, oldest
 * first): members' lines ("s") and the notices that are the room's record
 * (joins, leaves, renames, the topic), each at its entry's Redis time. A
 * batch stored twice counts once; anything else, or not papo's, is skipped.
 */
export function linesOfStream(
  entries: ReadonlyArray<{ readonly id: string; readonly text: string | null }>,
): StoredLine[] {
  const out: StoredLine[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const batch = entry.text === null ? null : decodeBatch(entry.text);
    if (batch === null) continue;
    const id = `${batch[0]} ${batch[1]}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const at = idTime(entry.id);
    for (const event of batch[2]) {
      const line = lineOfEvent(event as unknown[], at);
      if (line !== null) out.push(line);
    }
  }
  return out;
}

/** The index of each event's notice: a join, a leave, a rename, an announcement. */
const NOTICE_AT: Readonly<Record<string, number>> = { j: 3, p: 2, r: 3, a: 1 };

function lineOfEvent(e: unknown[], at: number): StoredLine | null {
  if (e[0] === "s") {
    if (typeof e[1] !== "string") return null;
    const text = cleanText(e[1]);
    const said = /^(\* )?<([^>\s]+)> /.exec(text);
    if (said === null) return null;
    return { at, kind: said[1] === undefined ? "chat" : "action", from: said[2] as string, text };
  }
  const index = NOTICE_AT[e[0] as string];
  const notice = index === undefined ? null : e[index];
  if (!isNotice(notice)) return null;
  return { at, kind: "notice", from: "", text: sanitize(render(SERVER_TEXT.en, notice)), notice };
}

/**
 * A kept line's text with anything a terminal would act on taken out; a
 * block's "\n" between its lines is kept (sanitize would take it too).
 */
export function cleanText(text: string): string {
  return isBlockText(text) ? text.split("\n").map(sanitize).join("\n") : sanitize(text);
}

/** A block's lines, when `l` is a block (docs/protocol.md, "Blocks"); null for any other line. */
export function linesOf(l: StoredLine): string[] | null {
  return l.kind === "chat" && isBlockText(l.text) ? blockLines(l.text, l.from) : null;
}

/** The transcript of `lines` in `format`, for room `room`. */
export function transcript(format: Format, lines: readonly StoredLine[], room: string): string {
  if (format === "html") return toHtml(lines, room);
  if (format === "json") return toJsonLines(lines);
  return toText(lines);
}

/** Under a block's head, each of its lines after this much room and "| ": below the head's name. */
const BLOCK_INDENT = " ".repeat("YYYY-MM-DD HH:MM:SS  ".length);

/**
 * One line per line: "YYYY-MM-DD HH:MM:SS  LINE", local time. A block is
 * its head ("... <ana>") and then each of its lines as "| line" ("|" when
 * blank), indented below the name.
 */
export function toText(lines: readonly StoredLine[]): string {
  let out = "";
  for (const l of lines) {
    const block = linesOf(l);
    if (block === null) {
      out += `${stamp(l.at)}  ${l.text}\n`;
      continue;
    }
    out += `${stamp(l.at)}  <${l.from}>\n`;
    for (const line of block)
      out += line === "" ? `${BLOCK_INDENT}|\n` : `${BLOCK_INDENT}| ${line}\n`;
  }
  return out;
}

/**
 * One JSON object per line: at (ISO 8601, UTC), kind, from ("" for a
 * notice), text; a block's text is its lines as read (`<ana> | line`, a
 * "\n" between each), and `lines` has what was said in it, line by line.
 */
export function toJsonLines(lines: readonly StoredLine[]): string {
  let out = "";
  for (const l of lines) {
    const at = new Date(l.at).toISOString();
    const block = linesOf(l);
    const json = { at, kind: l.kind, from: l.from, text: l.text };
    out += `${JSON.stringify(block === null ? json : { ...json, lines: block })}\n`;
  }
  return out;
}

/**
 * The name colours of the web page (src/web/style.css, --c0 to --c8, light
 * and dark), by the index the page gives a name (nameColor, as
 * web/view.ts): a name has the same colour in the transcript as in the
 * room. NOTE: copied, since the page's CSS is a file this pure module does
 * not read; test/server/store/transcript.test.ts checks they agree.
 */
export const NAME_PALETTE = {
  light: [
    "#1e7d32",
    "#9a6700",
    "#a2287e",
    "#00798a",
    "#3d8b00",
    "#8a6d00",
    "#2b59c3",
    "#b0359c",
    "#007f73",
  ],
  dark: [
    "#6bd87a",
    "#e8c15a",
    "#f08ad6",
    "#5fd3e6",
    "#a6e35f",
    "#f0d264",
    "#8fb4ff",
    "#f59ee6",
    "#5fe0cf",
  ],
} as const;

/**
 * The transcript page's policy: nothing from anywhere, no script at all,
 * only its own inline style. In the page itself too, so that it holds for
 * the saved file opened from disk.
 */
export const TRANSCRIPT_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const colours = (scheme: readonly string[]): string =>
  scheme.map((c, i) => `.c${i}{color:${c}}`).join("");

const STYLE = [
  ":root{color-scheme:light dark;--bg:#f7f6f2;--text:#1d2421;--dim:#6b716e;--line:#e3e1da}",
  colours(NAME_PALETTE.light),
  "@media (prefers-color-scheme:dark){:root{--bg:#151917;--text:#e6e8e6;--dim:#8f9893;--line:#2c3430}",
  `${colours(NAME_PALETTE.dark)}}`,
  "body{margin:0 auto;max-width:60rem;padding:1rem;background:var(--bg);color:var(--text);",
  'font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}',
  "h1{font-size:1.25rem;margin:0 0 .25rem}",
  "h2{font-size:.95rem;color:var(--dim);border-bottom:1px solid var(--line);margin:1.25rem 0 .4rem}",
  ".range{color:var(--dim);margin:0}",
  ".line{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;",
  "overflow-wrap:anywhere;margin:0;padding:.05rem 0;line-height:1.45}",
  ".line time{color:var(--dim)}.who{font-weight:600}.notice{color:var(--dim)}",
  ".action .text{font-style:italic}",
  ".block pre{font-family:inherit;white-space:pre;overflow-x:auto;tab-size:4;",
  "margin:.1rem 0 .2rem 1.5rem;padding:.3rem .5rem;border-left:2px solid var(--line)}",
].join("");

/**
 * One page: a title with the room and the days its lines span, a heading per
 * day, a monospace block per line with its time, names in their colours.
 * Every line is escaped: whatever anyone said is text, never markup, and
 * the page has no script.
 */
export function toHtml(lines: readonly StoredLine[], room: string): string {
  const first = lines[0];
  const last = lines.at(-1);
  const days =
    first === undefined || last === undefined
      ? "no lines"
      : day(first.at) === day(last.at)
        ? day(first.at)
        : `${day(first.at)} to ${day(last.at)}`;
  const span =
    first === undefined || last === undefined
      ? "Nothing was said in this range."
      : `${stamp(first.at)} to ${stamp(last.at)}, ${lines.length} ${lines.length === 1 ? "line" : "lines"}`;
  const out = [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${TRANSCRIPT_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>papo: room ${escapeHtml(room)}, ${days}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>papo: room ${escapeHtml(room)}</h1>`,
    `<p class="range">${span}</p>`,
  ];
  let shownDay = "";
  // A name's colour costs its folded key: worked out once per name, not per line.
  const colours = new Map<string, number>();
  const colourOf = (name: string): number => {
    let colour = colours.get(name);
    if (colour === undefined) {
      colour = NAME_COLORS.indexOf(nameColor(name));
      colours.set(name, colour);
    }
    return colour;
  };
  for (const l of lines) {
    const d = new Date(l.at);
    const today = dayOf(d);
    if (today !== shownDay) {
      out.push(`<h2>${today}</h2>`);
      shownDay = today;
    }
    out.push(htmlLine(l, d, colourOf));
  }
  out.push("</body>", "</html>", "");
  return out.join("\n");
}

/**
 * A line's element: its time, the sayer's "<name>" in its colour, and the
 * rest; a block's lines follow its name as one <pre>, as they were written.
 */
function htmlLine(l: StoredLine, d: Date, colourOf: (name: string) => number): string {
  const time = `<time datetime="${d.toISOString()}">${clockOf(d)}</time>`;
  const block = linesOf(l);
  if (block !== null) {
    const who = `<span class="who c${colourOf(l.from)}">${escapeHtml(`<${l.from}>`)}</span>`;
    // NOTE: HTML drops a newline just after <pre>: a blank first line needs one more.
    const text = escapeHtml(block.join("\n"));
    const pre = `<pre class="text">${text.startsWith("\n") ? "\n" : ""}${text}</pre>`;
    return `<div class="line chat block">${time} ${who}${pre}</div>`;
  }
  const prefix = l.kind === "action" ? `* <${l.from}>` : `<${l.from}>`;
  if (l.kind === "notice" || l.from === "" || !l.text.startsWith(`${prefix} `)) {
    return `<div class="line ${l.kind}">${time} <span class="text">${escapeHtml(l.text)}</span></div>`;
  }
  const said = escapeHtml(l.text.slice(prefix.length + 1));
  return `<div class="line ${l.kind}">${time} <span class="who c${colourOf(l.from)}">${escapeHtml(prefix)}</span> <span class="text">${said}</span></div>`;
}

const MARKUP = /[&<>"']/;
const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text as HTML text or an attribute's value: nothing in it is markup. */
export function escapeHtml(text: string): string {
  return MARKUP.test(text) ? text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string) : text;
}

/** The file a transcript is saved as: "papo-ROOM-YYYY-MM-DD.html". */
export function transcriptFileName(room: string, now: number, format: Format = "html"): string {
  const ext = format === "json" ? "jsonl" : format === "html" ? "html" : "txt";
  return `papo-${room}-${day(now)}.${ext}`;
}

const two = (n: number): string => String(n).padStart(2, "0");

/** "YYYY-MM-DD", local. */
function dayOf(d: Date): string {
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** "HH:MM:SS", local. */
function clockOf(d: Date): string {
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

const day = (at: number): string => dayOf(new Date(at));

/** "YYYY-MM-DD HH:MM:SS", local. */
function stamp(at: number): string {
  const d = new Date(at);
  return `${dayOf(d)} ${clockOf(d)}`;
}
