/**
 * What another server's batch means here: each event as room calls, gate
 * calls or lines for members of this server. Everything read from Redis is
 * checked here, field by field, as if a client had typed it, before it is
 * used: names must be valid names (protocol/names.ts), text is sanitised
 * (protocol/sanitize.ts) and cut to the configured line length (a block's
 * lines each so, and the block within protocol/limits.ts BLOCK), addresses
 * must look like addresses, and notices are rebuilt from the event's checked
 * fields, only of the kinds that event can carry (no server could make
 * members read "server shutting down" or "ana joined" about someone else).
 * An event that fails a check, or is unknown, is skipped.
 */

import type { ServerConfig } from "../../config.ts";
import {
  blockContent,
  blockText,
  checkBlock,
  isBlockText,
  trimBlock,
} from "../../protocol/block.ts";
import { BLOCK, PROTOCOL } from "../../protocol/limits.ts";
import { isNotice, type Notice, say } from "../../protocol/messages.ts";
import { checkName } from "../../protocol/names.ts";
import { sanitize } from "../../protocol/sanitize.ts";
import type { Wire } from "../room/log.ts";
import type { Context } from "../session/context.ts";
import { removeMember } from "../session/output.ts";
import { whisper } from "../session/resume.ts";
import type { Event } from "./events.ts";

/** The limits the checks use: the line length members may send. */
export type Limits = Pick<ServerConfig, "maxLineBytes">;

/** Room around a member's text in a line this server makes of it: a name and its marks. */
const AROUND_TEXT = 4 * PROTOCOL.maxNameLength + 8;
/** Longest reason for a removal, as the log gets it. */
const MAX_WHY = 256;
/** Longest address (IPv6 with a zone). */
const MAX_HOST = 64;
const HOST = /^[0-9A-Za-z.:%_-]*$/;
const SAID = /^(?:<([^>\s]+)> |\* <([^>\s]+)> )/;

/**
 * One event from server `node`, as room calls; anything malformed is
 * skipped. `answerRoster` sends this server's roster, when someone asks.
 */
export function arrived(
  ctx: Context,
  node: string,
  event: Event,
  at: number,
  answerRoster: () => void,
  wire?: Wire,
): void {
  const { room, gate, config } = ctx;
  const e = event as unknown[];
  switch (e[0]) {
    case "s": {
      const line = saidLine(e[1], config);
      const id = Number.isSafeInteger(e[2]) ? (e[2] as number) : undefined;
      if (line !== null) room.heard(line, at, wire, node, id);
      break;
    }
    case "a": {
      // Lines for everyone: a topic's notice, and moderation's (nothing else is announced).
      const by = isNotice(e[1]) && e[1].key === "topicSet" ? name(e[1].args[0]) : null;
      const text = isNotice(e[1]) ? clip(e[1].args[1], config.maxLineBytes) : null;
      if (by !== null && text !== null) room.announceHere(say("topicSet", by, text), wire);
      const moderated = moderation(e[1]);
      if (moderated !== null) room.announceHere(moderated, wire);
      break;
    }
    case "j": {
      const who = name(e[1]);
      const from = host(e[2]);
      if (who === null || from === null) break;
      const told = isNotice(e[3]) && e[3].key === "joined" ? say("joined", who) : null;
      room.remoteJoined(node, who, from, told, wire);
      break;
    }
    case "p": {
      const who = name(e[1]);
      if (who !== null) room.remoteLeft(node, who, leaving(e[2], who, config), wire);
      break;
    }
    case "r": {
      const from = name(e[1]);
      const to = name(e[2]);
      if (from !== null && to !== null && isNotice(e[3]) && e[3].key === "renamed") {
        room.remoteRenamed(node, from, to, say("renamed", from, to), wire);
      }
      break;
    }
    case "m": {
      const to = name(e[1]);
      const from = name(e[2]);
      const text = clip(e[3], config.maxLineBytes);
      if (to !== null && from !== null && text !== null) whispered(ctx, to, from, text);
      break;
    }
    case "x": {
      const who = name(e[1]);
      const why = clip(e[3], MAX_WHY);
      const told = who === null ? null : removal(e[2], who, config);
      if (who !== null && why !== null && told !== null) removed(ctx, who, told, why);
      break;
    }
    case "b":
    case "u":
    case "t": {
      const state = stateEvent(event, config);
      if (state?.[0] === "t") room.topic = state[1];
      else if (state?.[0] === "b") gate.ban(state[1], state[2]);
      else if (state?.[0] === "u") gate.unban(state[1]);
      break;
    }
    case "h":
      if (Array.isArray(e[1])) {
        const members = e[1].map(rosterMember).filter((m) => m !== null);
        room.remoteRoster(node, members, e[2] === true);
      }
      break;
    case "?":
      // Someone's view of the room is incomplete (it just started, or missed batches).
      answerRoster();
      break;
    case "g":
      room.remoteGone(node);
      break;
    default:
      ctx.log.note(`cluster: skipped an unknown event ${sanitize(String(e[0]).slice(0, 16))}`);
  }
}

/**
 * A topic, ban or unban event, checked: the events every server applies in
 * the stream's order, its own included. Null for any other event or a bad one.
 */
export function stateEvent(
  event: Event,
  limits: Limits,
): ["t", string] | ["b", string, string] | ["u", string] | null {
  const e = event as unknown[];
  switch (e[0]) {
    case "t": {
      const text = clip(e[1], limits.maxLineBytes);
      return text === null ? null : ["t", text];
    }
    case "b": {
      const address = host(e[1]);
      const who = name(e[2]);
      return address === null || address === "" || who === null ? null : ["b", address, who];
    }
    case "u": {
      // An address, or the name an address was banned as.
      const what = host(e[1]) || name(e[1]);
      return what === null || what === "" ? null : ["u", what];
    }
    default:
      return null;
  }
}

/** A member's line (chat, action or block) from elsewhere: sanitised, cut, by a valid name; or null. */
export function saidLine(value: unknown, limits: Limits): string | null {
  if (typeof value === "string" && isBlockText(value)) return saidBlock(value, limits);
  const line = clip(value, limits.maxLineBytes + AROUND_TEXT);
  if (line === null) return null;
  const match = SAID.exec(line);
  const who = match?.[1] ?? match?.[2];
  return who !== undefined && name(who) === who ? line : null;
}

/**
 * A block from elsewhere, checked as a local one is made: every line one of
 * the same valid name's block lines, sanitised and cut as a single line is,
 * within {@link BLOCK}'s lines and bytes, blank lines at either end dropped,
 * at least two lines left; or null (skipped whole: a block cut short would
 * read as if it had been said so).
 */
function saidBlock(value: string, limits: Limits): string | null {
  // Longer than any block within the limits can be, whoever said it: not worth splitting.
  if (value.length > BLOCK.maxBytes + BLOCK.maxLines * AROUND_TEXT) return null;
  const v1 = value.split("\n");
  if (v1.length > BLOCK.maxLines) return null;
  const who = SAID.exec(v1[0] as string)?.[1];
  if (who === undefined || name(who) !== who) return null;
  const lines: string[] = [];
  for (const text of v1) {
    const line = blockContent(text, who);
    const clean = line === null ? null : clip(line, limits.maxLineBytes);
    if (clean === null) return null;
    lines.push(clean);
  }
  const kept = trimBlock(lines);
  if (kept.length < 2 || checkBlock(kept) !== null) return null;
  return blockText(who, kept);
}

/** One [name, host] of a roster or the names hash, checked; or null. */
export function rosterMember(value: unknown): [string, string] | null {
  if (!Array.isArray(value)) return null;
  const who = name(value[0]);
  const from = host(value[1]);
  return who === null || from === null ? null : [who, from];
}

/** The topic and bans Redis keeps, checked as the events that set them. */
export function checkedState(
  topic: unknown,
  bans: ReadonlyArray<readonly [unknown, unknown]>,
  limits: Limits,
): { topic: string; bans: Array<[string, string]> } {
  const kept: Array<[string, string]> = [];
  for (const [address, who] of bans) {
    const ban = stateEvent(["b", address as string, who as string], limits);
    if (ban?.[0] === "b") kept.push([ban[1], ban[2]]);
  }
  return { topic: clip(topic, limits.maxLineBytes) ?? "", bans: kept };
}

/** A valid name (cleaned as a client's would be), or null. */
function name(value: unknown): string | null {
  // Longer than any name can be even in UTF-16 with marks: not worth checking.
  if (typeof value !== "string" || value.length > 8 * PROTOCOL.maxNameLength) return null;
  const checked = checkName(value);
  return checked.ok ? checked.name : null;
}

/** An address as sockets give them, or "" (unknown); null for anything else. */
function host(value: unknown): string | null {
  return typeof value === "string" && value.length <= MAX_HOST && HOST.test(value) ? value : null;
}

/** Text for members or the log: sanitised, at most `maxBytes` bytes of UTF-8; null if no string. */
export function clip(value: unknown, maxBytes: number): string | null {
  if (typeof value !== "string") return null;
  // Cut first (a code point is at most 4 bytes, 2 UTF-16 units), so a huge string costs little.
  let text = sanitize(value.length > maxBytes ? value.slice(0, maxBytes) : value);
  if (text.length * 3 <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const c of text) {
    const cp = c.codePointAt(0) as number;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += c.length;
  }
  text = text.slice(0, end);
  return text;
}

/** How a member left, as its server said, rebuilt for `who`: or null (no notice). */
function leaving(value: unknown, who: string, limits: Limits): Notice | null {
  if (!isNotice(value)) return null;
  switch (value.key) {
    case "left": {
      const why = reason((value.args as unknown[])[1], limits);
      return why === undefined ? say("left", who) : say("left", who, why);
    }
    case "leftTooSlow":
      return say("leftTooSlow", who);
    default:
      return removal(value, who, limits);
  }
}

/** A kick or ban notice rebuilt for `who`, by a valid name; or null. */
function removal(value: unknown, who: string, limits: Limits): Notice | null {
  if (!isNotice(value)) return null;
  if (value.key !== "kicked" && value.key !== "banned") return null;
  const by = name((value.args as unknown[])[1]);
  if (by === null) return null;
  if (value.key === "banned") return say("banned", who, by);
  const why = reason((value.args as unknown[])[2], limits);
  return why === undefined ? say("kicked", who, by) : say("kicked", who, by, why);
}

/** A notice of /mute, /slow or /quiet on another server, rebuilt from checked values; or null. */
function moderation(value: unknown): Notice | null {
  if (!isNotice(value)) return null;
  const args = value.args as unknown[];
  const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null);
  switch (value.key) {
    case "muted": {
      const [who, by, minutes] = [name(args[0]), name(args[1]), count(args[2])];
      if (who === null || by === null) return null;
      return minutes === null ? say("muted", who, by) : say("muted", who, by, minutes);
    }
    case "unmuted": {
      const [who, by] = [name(args[0]), name(args[1])];
      return who === null || by === null ? null : say("unmuted", who, by);
    }
    case "slowOn": {
      const [by, seconds] = [name(args[0]), count(args[1])];
      return by === null || seconds === null ? null : say("slowOn", by, seconds);
    }
    case "slowOff":
    case "quietOn":
    case "quietOff": {
      const by = name(args[0]);
      return by === null ? null : say(value.key, by);
    }
    default:
      return null;
  }
}

/** An optional reason: checked text, or undefined. */
function reason(value: unknown, limits: Limits): string | undefined {
  return clip(value, limits.maxLineBytes) || undefined;
}

function whispered(ctx: Context, to: string, from: string, text: string): void {
  const target = ctx.room.find(to);
  // Optional, as a private line said here: past its queue's cap it is not kept.
  if (target !== undefined) whisper(ctx, target, from, text);
}

function removed(ctx: Context, name: string, notice: Notice, why: string): void {
  const target = ctx.room.find(name);
  if (target === undefined || (target.phase !== "joined" && target.phase !== "away")) return;
  ctx.log.event(target, `removed from another server (${why})`);
  removeMember(ctx, target, notice, why);
}
