/**
 * What papo keeps in Redis and how it reads back: the keys of a room, the
 * names hash's values ("node TAB host TAB name"), the Lua scripts that
 * change claims and presence atomically in one round trip, and stream
 * replies as entries. No connection here: redis.ts sends these.
 */

import type { Claimed } from "./carrier.ts";

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
  };
}

/**
 * KEYS: log, seq, topic, bans. ARGV: seq, stream length, seq TTL (ms),
 * batch, then state writes as triples (op, a, b): "t" text, "b" host name,
 * "u" host. Appends the batch and applies its writes in one atomic step,
 * unless this server already appended a batch numbered `seq` or later (a
 * resend after a reply was lost): 1 when appended, 0 when a repeat.
 */
export const APPEND = `
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'b', ARGV[4])
for i = 5, #ARGV - 2, 3 do
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
export function toEntries(reply: unknown): Array<{ id: string; text: string | null }> {
  if (!Array.isArray(reply)) return [];
  const out: Array<{ id: string; text: string | null }> = [];
  for (const item of reply) {
    if (!Array.isArray(item)) continue;
    const [id, fields] = item as [unknown, unknown];
    if (typeof id !== "string") continue;
    const at = Array.isArray(fields) ? fields.indexOf("b") : -1;
    const text = at >= 0 ? (fields as unknown[])[at + 1] : null;
    out.push({ id, text: typeof text === "string" ? text : null });
  }
  return out;
}

/** The milliseconds part of a stream id ("1700000000000-3"): Redis's clock, the same for all. */
export function idTime(id: string): number {
  return Number(id.slice(0, id.indexOf("-")));
}
