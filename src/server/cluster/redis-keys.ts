/**
 * What papo keeps in Redis and how it reads back: the keys of a room, the
 * names hash's values ("node TAB host TAB name"), the Lua scripts that
 * change claims and presence atomically in one round trip, and stream
 * replies as entries. No connection here: redis.ts sends these.
 */

import { createHash } from "node:crypto";
import { LANGS, type Lang } from "../../protocol/lang.ts";
import { checkName, nameKey } from "../../protocol/names.ts";
import { parsePosition } from "../../protocol/tags.ts";
import type { Wire } from "../room/log.ts";
import type { Moved } from "../room/peers.ts";
import type { Claimed } from "./carrier.ts";
import { isNode } from "./events.ts";

/**
 * The keys of room `room`, for server `node` (docs/cluster.md):
 *   papo:R:log            stream; each entry one batch in field "b"
 *   papo:R:names          hash: name key -> "node\thost\tname"
 *   papo:R:nodes          set of the servers that claimed names
 *   papo:R:alive:NODE     string with a TTL, refreshed by NODE's heartbeat
 *   papo:R:topic          string
 *   papo:R:bans           hash: address -> name it was banned as
 *   papo:R:seq:NODE       string with a TTL: the last batch number NODE appended
 *   papo:R:kept           "1" while Redis holds the room's state (gone after a restart)
 *   papo:R:pos            hash: e = the log's epoch, n = the last position given
 *   papo:R:token:ID       string with a TTL: a member's resume token (a hash of its secret) and who it is
 *   papo:R:spent:ID       string with a TTL: token ID was spent (a late resume with it is refused)
 */
export interface Keys {
  readonly log: string;
  readonly names: string;
  readonly nodes: string;
  /** This server's presence. */
  readonly alive: string;
  readonly topic: string;
  readonly bans: string;
  /** Set while Redis holds the room's state: missing after a restart. */
  readonly kept: string;
  /** This server's last appended batch number (resends are dropped by it). */
  readonly seq: string;
  /** What presence keys start with: the scripts append a node to it. */
  readonly alivePrefix: string;
  aliveOf(node: string): string;
  /** The room's log's epoch and last position given (docs/cluster.md, "Positions"). */
  readonly pos: string;
  tokenOf(id: string): string;
  spentOf(id: string): string;
}

export function keysOf(room: string, node: string): Keys {
  const p = `papo:${room}:`;
  const alivePrefix = `${p}alive:`;
  return {
    log: `${p}log`,
    names: `${p}names`,
    nodes: `${p}nodes`,
    alive: `${alivePrefix}${node}`,
    topic: `${p}topic`,
    bans: `${p}bans`,
    seq: `${p}seq:${node}`,
    kept: `${p}kept`,
    alivePrefix,
    aliveOf: (other) => `${alivePrefix}${other}`,
    pos: `${p}pos`,
    tokenOf: (id) => `${p}token:${id}`,
    spentOf: (id) => `${p}spent:${id}`,
  };
}

/**
 * KEYS: log, seq, topic, bans, pos. ARGV: seq, stream length, seq TTL (ms),
 * batch, the number of lines it makes, a new epoch, then state writes as
 * triples (op, a, b): "t" text, "b" host name, "u" host. Appends the batch
 * and applies its writes in one atomic step, unless this server already
 * appended a batch numbered `seq` or later (a resend after a reply was
 * lost): 1 when appended, 0 when a repeat. The entry's field "p" is the
 * position of its first line, "EPOCH.SEQ": positions are given here, in
 * the stream's order, so they are the same on every server; the epoch is
 * the one proposed by whoever appends first after Redis lost the room
 * (each append proposes a new one), so no position is ever given twice.
 */
export const APPEND = `
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
local epoch = redis.call('HGET', KEYS[5], 'e')
if not epoch then
  epoch = ARGV[6]
  redis.call('HSET', KEYS[5], 'e', epoch, 'n', 0)
end
local lines = tonumber(ARGV[5])
local upto = redis.call('HINCRBY', KEYS[5], 'n', lines)
local first = epoch .. '.' .. (upto - lines + 1)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'b', ARGV[4], 'p', first)
for i = 7, #ARGV - 2, 3 do
  local op = ARGV[i]
  if op == 't' then redis.call('SET', KEYS[3], ARGV[i + 1])
  elseif op == 'b' then redis.call('HSET', KEYS[4], ARGV[i + 1], ARGV[i + 2])
  elseif op == 'u' then redis.call('HDEL', KEYS[4], ARGV[i + 1]) end
end
return 1`;

/**
 * KEYS: kept, topic, bans. ARGV: topic ("" for none), then host/name pairs.
 * Only when Redis lost the room's state (restarted: the "kept" mark is gone)
 * the first server back writes its view of it; otherwise what Redis holds is
 * the stream's latest word and stays. 1 when written.
 */
export const RESTORE = `
if redis.call('SETNX', KEYS[1], '1') == 0 then return 0 end
if ARGV[1] ~= '' then redis.call('SET', KEYS[2], ARGV[1]) end
for i = 2, #ARGV - 1, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
return 1`;

/** KEYS: names. ARGV: key, node, value, alive prefix. 1 when the key is this node's now. */
export const CLAIM = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  local holder = string.match(v, '^([^\\t]*)')
  if holder ~= ARGV[2] and redis.call('EXISTS', ARGV[4] .. holder) == 1 then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`;

/** KEYS: names. ARGV: key, node. Forgets the claim if it is still this node's. */
export const RELEASE = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and string.match(v, '^([^\\t]*)') == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`;

/** KEYS: names. ARGV: node, alive prefix, then key/value pairs; drops this node's other claims. */
export const OWN = `
local mine = {}
for i = 3, #ARGV, 2 do mine[ARGV[i]] = ARGV[i + 1] end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.match(all[i + 1], '^([^\\t]*)') == ARGV[1] and not mine[all[i]] then
    redis.call('HDEL', KEYS[1], all[i])
  end
end
local lost = {}
for key, value in pairs(mine) do
  local v = redis.call('HGET', KEYS[1], key)
  local holder = v and string.match(v, '^([^\\t]*)')
  if holder and holder ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. holder) == 1 then
    table.insert(lost, key)
  else
    redis.call('HSET', KEYS[1], key, value)
  end
end
return lost`;

/** KEYS: names, nodes. ARGV: alive prefix. Frees the names of servers whose presence expired; returns them. */
export const REAP = `
local dead = {}
for _, n in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[1] .. n) == 0 then
    table.insert(dead, n)
    redis.call('SREM', KEYS[2], n)
  end
end
if #dead > 0 then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local holder = string.match(all[i + 1], '^([^\\t]*)')
    for _, d in ipairs(dead) do
      if holder == d then redis.call('HDEL', KEYS[1], all[i]) end
    end
  end
end
return dead`;

/** KEYS: names, nodes, alive. ARGV: node. This server leaves: presence and every claim of its gone. */
export const LEAVE = `
redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[2], ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.match(all[i + 1], '^([^\\t]*)') == ARGV[1] then redis.call('HDEL', KEYS[1], all[i]) end
end
return 0`;

/**
 * KEYS: the token, names, the token's "spent" mark. ARGV: the hash of the
 * secret given, this node, the connection's host, the mark's TTL (ms).
 * The token's record if the hash is its own and its member's name is still
 * its server's (or free, or this node's): then, in one step, the token is
 * spent (marked so for a while) and the name claimed for this node.
 * "spent" if it was spent already; nil when unknown, wrong or stale.
 */
export const TAKE = `
local v = redis.call('GET', KEYS[1])
if not v then
  if redis.call('EXISTS', KEYS[3]) == 1 then return 'spent' end
  return false
end
local hash, key, name, node = string.match(v, '^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t')
if hash ~= ARGV[1] then return false end
local held = redis.call('HGET', KEYS[2], key)
if held then
  local holder = string.match(held, '^([^\\t]*)')
  if holder ~= node and holder ~= ARGV[2] then return false end
end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[4])
redis.call('HSET', KEYS[2], key, ARGV[2] .. '\\t' .. ARGV[3] .. '\\t' .. name)
return v`;

/**
 * KEYS: the token, names, its "spent" mark. ARGV: the record, the name key,
 * the claim as its server had it, the record's TTL (ms), this node. A take
 * that came to nothing (the connection went, the name was held here after
 * all): the token and the claim are as they were before it.
 */
export const UNTAKE = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
redis.call('DEL', KEYS[3])
local held = redis.call('HGET', KEYS[2], ARGV[2])
if held and string.match(held, '^([^\\t]*)') == ARGV[5] then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
return 0`;

/** What Redis keeps of a secret: its SHA-256, in hex (the secret itself never leaves the server). */
export function secretHash(secret: Buffer): string {
  return createHash("sha256").update(secret).digest("hex");
}

/**
 * A token's record: "HASH TAB NAMEKEY TAB NAME TAB NODE TAB json" (the take
 * script reads the first four); json holds its id, host, operator status
 * and language.
 */
export function tokenRecord(secret: Buffer, member: Moved): string {
  const key = nameKey(member.name);
  const about = JSON.stringify({
    id: member.id,
    host: member.host,
    op: member.operator,
    lang: member.lang,
  });
  return `${secretHash(secret)}\t${key}\t${member.name}\t${member.node}\t${about}`;
}

/** A token's record read back, checked as any word from Redis is; null when it is not one. */
export function parseTokenRecord(value: unknown): Moved | null {
  if (typeof value !== "string") return null;
  const [, , rawName = "", node, ...rest] = value.split("\t");
  const check = checkName(rawName);
  if (!check.ok || check.name !== rawName) return null;
  let about: unknown;
  try {
    about = JSON.parse(rest.join("\t"));
  } catch {
    return null;
  }
  const { id, op, lang, host } = (about ?? {}) as Record<string, unknown>;
  if (!isNode(node) || !Number.isSafeInteger(id) || typeof op !== "boolean") return null;
  if (!LANGS.includes(lang as Lang)) return null;
  const address = typeof host === "string" && /^[0-9A-Za-z.:%_-]{0,64}$/.test(host) ? host : "";
  return { node, id: id as number, name: rawName, operator: op, lang: lang as Lang, host: address };
}

export function claimValue(node: string, host: string, name: string): string {
  return `${node}\t${host}\t${name}`;
}

export function parseClaim(value: string): Claimed {
  const [node = "", host = "", ...rest] = value.split("\t");
  return { node, host, name: rest.join("\t") };
}

/**
 * Stream entries from an XREAD or XRANGE reply: [[id, [field, value, ...]], ...].
 * An entry without a batch (written by something else) keeps its id, text
 * null, so that reading goes on after it rather than asking for it again.
 */
export function toEntries(reply: unknown): Entry[] {
  if (!Array.isArray(reply)) return [];
  const out: Entry[] = [];
  for (const item of reply) {
    if (!Array.isArray(item)) continue;
    const [id, fields] = item as [unknown, unknown];
    if (typeof id !== "string") continue;
    const text = field(fields, "b");
    const pos = parsePosition(field(fields, "p") ?? undefined);
    out.push({ id, text, pos });
  }
  return out;
}

/** A stream entry: its id, its batch (null: not papo's), the position of its first line (null: none). */
export interface Entry {
  readonly id: string;
  readonly text: string | null;
  readonly pos: Wire | null;
}

function field(fields: unknown, name: string): string | null {
  if (!Array.isArray(fields)) return null;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === name) return typeof fields[i + 1] === "string" ? fields[i + 1] : null;
  }
  return null;
}

/** The milliseconds part of a stream id ("1700000000000-3"): Redis's clock, the same for all. */
export function idTime(id: string): number {
  return Number(id.slice(0, id.indexOf("-")));
}
