/**
 * The operator log as JSON lines (--log-format json), for log shippers: one
 * object per line, always in English whatever --lang says, with the line's
 * English words as `msg` and what a machine filters on as fields of their
 * own. As log-text.ts does for Portuguese, the English event line is the
 * key: the rules here read its fields back out of it, so the session's
 * call sites stay one sentence each.
 *
 * Every line: `time` (ISO 8601, UTC), `kind` ("info": startup and shutdown;
 * "note": what happened while serving; "event": a connection's), `msg`.
 * An event adds `event` (a fixed word: "connected", "refused", "left", …),
 * `address` ("host:port"), `ip`, `name` (once it has one), `transport`
 * ("tcp", "tls", "ws"), and by event `reason` or `target`.
 */

import type { Lang } from "../protocol/lang.ts";
import { consoleLog, type Log, type Peer, stdoutLine } from "./log.ts";

/** What a JSON log line holds besides time, kind and msg. */
export type EventFields = { event: string; reason?: string; target?: string };

type EventRule = readonly [RegExp, (...parts: string[]) => EventFields];

/** Every event line the server writes (session/, admission/door.ts, cluster/), by its words. */
const EVENT_RULES: readonly EventRule[] = [
  [/^connected(?: \((?:tcp|tls|ws)\))?$/, () => ({ event: "connected" })],
  [/^refused \((?:(?:tcp|tls|ws), )?(.*)\)$/, (reason) => ({ event: "refused", reason })],
  [/^wrong (room|operator) password$/, (which) => ({ event: `wrong ${which} password` })],
  [/^joined$/, () => ({ event: "joined" })],
  [/^away$/, () => ({ event: "away" })],
  [/^connection closed \((.*)\); away$/, (reason) => ({ event: "away", reason })],
  [/^left \((.*)\)$/, (reason) => ({ event: "left", reason })],
  [/^renamed from (\S+)(?:: (.*))?$/, (target, reason) => ({ event: "renamed", target, reason })],
  [/^set the topic$/, () => ({ event: "topic" })],
  [/^became an operator$/, () => ({ event: "operator" })],
  [/^gave the operator password for (\S+)$/, (target) => ({ event: "operator", target })],
  [/^kicked (\S+)$/, (target) => ({ event: "kicked", target })],
  [/^banned (\S+) \((.*)\)$/, (target, reason) => ({ event: "banned", target, reason })],
  [/^unbanned (.+)$/, (target) => ({ event: "unbanned", target })],
  [/^muted (\S+)/, (target) => ({ event: "muted", target })],
  [/^unmuted (\S+)/, (target) => ({ event: "unmuted", target })],
  [/^set slow mode to (.*)$/, (reason) => ({ event: "slow mode", reason })],
  [/^turned quiet mode (on|off)$/, (reason) => ({ event: "quiet mode", reason })],
  [/^asked for the transcript$/, () => ({ event: "transcript" })],
  [/^resumed as (\S+?)(?:, (.*))?$/, (target, reason) => ({ event: "resumed", target, reason })],
  [/^resumed on another server$/, () => ({ event: "resumed elsewhere" })],
  [/^removed from another server \((.*)\)$/, (reason) => ({ event: "removed", reason })],
];

/**
 * The fields of an event line: its fixed word and, for some, why or whom.
 * A line no rule knows (a new one nobody added here yet) is `event: "other"`,
 * its words still in `msg`.
 */
export function eventFields(text: string): EventFields {
  for (const [pattern, fields] of EVENT_RULES) {
    const m = pattern.exec(text);
    if (!m) continue;
    const found = fields(...m.slice(1).map((part) => part ?? ""));
    // Fields that matched nothing are left out rather than written empty.
    if (found.reason === "") delete found.reason;
    if (found.target === "") delete found.target;
    return found;
  }
  return { event: "other" };
}

/** One JSON log line for an event of `peer`. */
export function eventLine(time: Date, peer: Peer, text: string): string {
  const { event, reason, target } = eventFields(text);
  const line: Record<string, string> = { time: time.toISOString(), kind: "event", event };
  line.address = peer.address;
  if (peer.host !== undefined && peer.host !== "") line.ip = peer.host;
  if (peer.name !== "") line.name = peer.name;
  if (peer.transport !== undefined) line.transport = peer.transport;
  if (reason !== undefined) line.reason = reason;
  if (target !== undefined) line.target = target;
  line.msg = text;
  return JSON.stringify(line);
}

/** One JSON log line for something that is no connection's event. */
export function plainLine(time: Date, kind: string, text: string): string {
  return JSON.stringify({ time: time.toISOString(), kind, msg: text });
}

/** A log writing JSON lines; `quiet` drops connection events, as the text log does. */
export function jsonLog(
  quiet: boolean,
  write: (line: string) => void,
  now: () => Date = () => new Date(),
): Log {
  return {
    info: (text) => write(plainLine(now(), "info", text)),
    note: (text) => write(plainLine(now(), "note", text)),
    event: quiet ? () => {} : (peer, text) => write(eventLine(now(), peer, text)),
  };
}

/** The server's log on stdout as --log-format asks: text in `lang`, or JSON lines. */
export function serverLog(format: "text" | "json", quiet: boolean, lang: Lang): Log {
  return format === "json"
    ? jsonLog(quiet, stdoutLine)
    : consoleLog(quiet, stdoutLine, undefined, lang);
}
