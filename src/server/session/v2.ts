/**
 * Protocol version 2 on the server's side (docs/protocol.md, "Protocol
 * version 2"): the lines that only a v2 connection reads, and the server's
 * words for it. Every reply a v2 connection gets is the v1 sentence with
 * `kind=reply;ev=KEY;args=[…]` in front, where KEY is the template that
 * worded it, so no session code has to know which protocol a client speaks:
 * it asks `words(client)` (context.ts) as before.
 */

import type { ServerConfig } from "../../config.ts";
import { isBlockText, partTag } from "../../protocol/block.ts";
import { LANGS, type Lang } from "../../protocol/lang.ts";
import { SERVER_TEXT, type ServerText, whenSaid } from "../../protocol/messages.ts";
import { formatPosition, tagged, withTags } from "../../protocol/tags.ts";
import type { Said } from "../room/history.ts";
import type { Wire } from "../room/log.ts";
import type { Member, Room } from "../room/room.ts";

/** A connection's first line that asks for version 2. */
export const CAP_V2 = "CAP papo/2";

/**
 * The server's words in `text`, each line tagged with the template that made
 * it; the answer to /lang also names the language (`lang`), which a client's
 * own words follow.
 */
function taggedText(text: ServerText, lang: Lang): ServerText {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(text) as Array<keyof ServerText>) {
    const word = text[key] as (...args: unknown[]) => string | string[];
    out[key] = (...args: unknown[]) => {
      const said = word(...args);
      const tags: Record<string, string> = { kind: "reply", ev: key, args: JSON.stringify(args) };
      if (key === "language") tags.lang = lang;
      return Array.isArray(said) ? said.map((line) => tagged(tags, line)) : tagged(tags, said);
    };
  }
  return out as unknown as ServerText;
}

const TAGGED: Readonly<Record<Lang, ServerText>> = Object.fromEntries(
  LANGS.map((lang) => [lang, taggedText(SERVER_TEXT[lang], lang)]),
) as Record<Lang, ServerText>;

/** The server's words for a connection in `lang`, tagged when it speaks version 2. */
export function wordsFor(lang: Lang, v2: boolean): ServerText {
  return v2 ? TAGGED[lang] : SERVER_TEXT[lang];
}

/** The answer to `CAP papo/2`: the room's limits, once. */
export function capLine(config: ServerConfig, epoch: string): string {
  return tagged(
    {
      kind: "cap",
      v: 2,
      epoch,
      password: config.roomPassword === "" ? 0 : 1,
      // CAP is a connection's first line: it still reads the server's default language.
      lang: config.lang,
      "max-line": config.maxLineBytes,
      rate: config.rateLimit,
      burst: config.rateBurst,
      window: config.windowBytes,
      grace: Math.round(config.resumeGraceMs / 1000),
      queue: config.maxQueueBytes,
    },
    "CAP ACK papo/2",
  );
}

/** What a member behind reads when the window no longer holds `count` lines it needed. */
export function missedLine(room: Room<Member>, member: Member, count: number): string {
  const text = SERVER_TEXT[member.lang].missedLines(count);
  if (!member.v2) return text;
  const first = firstKept(room);
  return tagged({ kind: "gap", reason: "behind", n: count, first }, text);
}

/** A resume from before the window (`count` lines lost) or from another epoch (count null). */
export function resumeGapLine(room: Room<Member>, member: Member, count: number | null): string {
  const t = SERVER_TEXT[member.lang];
  const first = firstKept(room);
  if (count === null) return tagged({ kind: "gap", reason: "restart", first }, t.missedRestart());
  return tagged({ kind: "gap", reason: "too-old", n: count, first }, t.missedLines(count));
}

/** The position of the oldest line kept, as readers know it. */
function firstKept(room: Room<Member>): string {
  const pos = room.log.positionOf(room.log.first);
  return formatPosition(pos.epoch, pos.seq);
}

/** One of the room's earlier lines for a newcomer, with its position and time in v2. */
export function historyLine(member: Member, said: Said, now: number): string {
  // A block is one entry of history: each of its lines with the head, tagged with its part.
  if (isBlockText(said.line)) {
    const lines = said.line.split("\n");
    return lines
      .map((line, i) => oneHistoryLine(member, said, now, line, i + 1, lines.length))
      .join("\n");
  }
  return oneHistoryLine(member, said, now, said.line);
}

function oneHistoryLine(
  member: Member,
  said: Said,
  now: number,
  line: string,
  k = 0,
  n = 0,
): string {
  const text = SERVER_TEXT[member.lang].history(whenSaid(said.at, now), line);
  if (!member.v2) return text;
  return tagged(
    {
      kind: "history",
      // Null: a line from an old stream entry, without a position.
      pos: said.pos === null ? undefined : formatPosition(said.pos.epoch, said.pos.seq),
      time: new Date(said.at).toISOString(),
      from: said.from,
      line,
      part: n === 0 ? undefined : partTag(k, n),
    },
    text,
  );
}

/**
 * The welcome (or a resume's answer) with what a v2 member needs to resume:
 * its token and where it starts; `op` when it is an operator, so that a
 * client that was one and comes back as a new member can say so.
 */
export function withResumeTags(line: string, token: string, last: Wire, operator: boolean): string {
  const pos = formatPosition(last.epoch, last.seq);
  return withTags(line, { token, pos, op: operator ? "" : undefined });
}
