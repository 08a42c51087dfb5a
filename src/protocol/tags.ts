/**
 * Protocol version 2's line tags (docs/protocol.md, "Protocol version 2"):
 * IRCv3 message-tags syntax in front of the v1 line. A tagged line is
 * `@key=value;key2=value2 TEXT`, where TEXT is exactly what a v1 reader of
 * the same language would have read, and values are escaped as IRCv3 says:
 * `\:` for ";", `\s` for a space, `\\` for "\", `\r` and `\n`. A key
 * without "=" has the value "". Pure, for the server and the clients alike.
 */

/** A line's tags, in the order they were written. */
export type Tags = Record<string, string>;

/** A v2 line, split: its tags and the v1 text after them. */
export interface Tagged {
  readonly tags: Tags;
  readonly text: string;
}

/** One tag value escaped for the wire. */
export function escapeTag(value: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let esc: string | null = null;
    if (c === 0x3b) esc = "\\:";
    else if (c === 0x20) esc = "\\s";
    else if (c === 0x5c) esc = "\\\\";
    else if (c === 0x0d) esc = "\\r";
    else if (c === 0x0a) esc = "\\n";
    if (esc === null) continue;
    out += value.slice(from, i) + esc;
    from = i + 1;
  }
  return from === 0 ? value : out + value.slice(from);
}

/** A tag value as it was before {@link escapeTag}; an unknown escape stands for its letter. */
export function unescapeTag(value: string): string {
  if (!value.includes("\\")) return value;
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = value[++i];
    if (next === undefined) break;
    out +=
      next === ":" ? ";" : next === "s" ? " " : next === "r" ? "\r" : next === "n" ? "\n" : next;
  }
  return out;
}

/** `@k=v;… ` for these tags (values escaped); "" for none. */
export function formatTags(tags: Readonly<Record<string, string | number | undefined>>): string {
  let out = "";
  for (const key in tags) {
    const value = tags[key];
    if (value === undefined) continue;
    out += `${out === "" ? "@" : ";"}${key}=${escapeTag(String(value))}`;
  }
  return out === "" ? "" : `${out} `;
}

/** `line` (tagged or not) with `tags` put in front of its own. */
export function withTags(
  line: string,
  tags: Readonly<Record<string, string | number | undefined>>,
): string {
  const head = formatTags(tags);
  if (head === "" || !line.startsWith("@")) return head + line;
  return `${head.slice(0, -1)};${line.slice(1)}`;
}

/** A whole tagged line (without its newline). */
export function tagged(
  tags: Readonly<Record<string, string | number | undefined>>,
  text: string,
): string {
  return formatTags(tags) + text;
}

/** Split a line into its tags and text; a line without "@" has no tags. */
export function parseTagged(line: string): Tagged {
  if (!line.startsWith("@")) return { tags: {}, text: line };
  const space = line.indexOf(" ");
  const head = space < 0 ? line.slice(1) : line.slice(1, space);
  const text = space < 0 ? "" : line.slice(space + 1);
  const tags: Tags = {};
  for (const pair of head.split(";")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq < 0) tags[pair] = "";
    else tags[pair.slice(0, eq)] = unescapeTag(pair.slice(eq + 1));
  }
  return { tags, text };
}

/** A log position, "EPOCH.SEQ": which life of the room's log, and the line's number in it. */
export interface Position {
  readonly epoch: string;
  readonly seq: number;
}

export function formatPosition(epoch: string, seq: number): string {
  return `${epoch}.${seq}`;
}

/** "EPOCH.SEQ" read back; null when it is not one (a client's word is never trusted). */
export function parsePosition(text: string | undefined): Position | null {
  if (text === undefined) return null;
  const m = /^([0-9a-f]{1,32})\.(\d{1,15})$/.exec(text);
  if (m === null) return null;
  return { epoch: m[1] as string, seq: Number(m[2]) };
}
