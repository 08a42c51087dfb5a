/**
 * Canned protocol version 2 lines, built the way the server builds them
 * (docs/protocol.md, "Protocol version 2"): the v1 sentence from
 * protocol/messages.ts with its tags in front. For unit tests of the
 * clients' reading of lines, without a server.
 */

import type { Lang } from "../../src/protocol/lang.ts";
import { action, chat, SERVER_TEXT, type ServerText } from "../../src/protocol/messages.ts";
import { tagged } from "../../src/protocol/tags.ts";

export const EPOCH = "7f3a9c0e21b4d5a6";

type Key = Exclude<keyof ServerText, "help">;
type Extra = Record<string, string | number | undefined>;

/** The lines of a server speaking `lang`, positions in epoch `epoch`. */
export function v2(lang: Lang = "en", epoch = EPOCH) {
  const t = SERVER_TEXT[lang];
  const word = <K extends Key>(key: K, args: Parameters<ServerText[K]>): string =>
    (t[key] as (...a: unknown[]) => string)(...args);
  const at = (seq: number) => `${epoch}.${seq}`;
  const when = "2026-12-06T11:50:00.123Z";
  return {
    text: t,
    pos: at,
    /** The answer to CAP, saying the connection's language. */
    cap: (password = false, more: Extra = {}) =>
      tagged(
        { kind: "cap", v: 2, epoch, password: password ? 1 : 0, "max-line": 4096, lang, ...more },
        "CAP ACK papo/2",
      ),
    /** A line for this connection alone. */
    reply: <K extends Key>(key: K, args: Parameters<ServerText[K]>, more: Extra = {}) =>
      tagged({ ...more, kind: "reply", ev: key, args: JSON.stringify(args) }, word(key, args)),
    /** A notice said to the room, at position `seq`. */
    notice: <K extends Key>(key: K, args: Parameters<ServerText[K]>, seq: number) =>
      tagged(
        { kind: "notice", ev: key, args: JSON.stringify(args), pos: at(seq), time: when },
        word(key, args),
      ),
    welcome: (name: string, names: string[], token: string, seq: number, operator = false) =>
      tagged(
        {
          token,
          pos: at(seq),
          op: operator ? "" : undefined,
          kind: "reply",
          ev: "welcome",
          args: JSON.stringify([name, names.length, names]),
        },
        t.welcome(name, names.length, names),
      ),
    resumed: (name: string, token: string, seq: number, operator = false) =>
      tagged(
        {
          kind: "reply",
          ev: "resumed",
          args: JSON.stringify([name]),
          token,
          pos: at(seq),
          op: operator ? "" : undefined,
        },
        t.resumed(name),
      ),
    chat: (from: string, text: string, seq: number, time = when) =>
      tagged({ kind: "chat", pos: at(seq), time, from }, chat(from, text)),
    action: (from: string, text: string, seq: number, time = when) =>
      tagged({ kind: "action", pos: at(seq), time, from }, action(from, text)),
    history: (from: string, text: string, seq: number, time = when, clock = "11:50") =>
      tagged(
        { kind: "history", pos: at(seq), time, from, line: chat(from, text) },
        t.history(clock, chat(from, text)),
      ),
    gap: (reason: "behind" | "too-old" | "restart", n: number | undefined, seq: number) =>
      tagged(
        { kind: "gap", pos: at(seq), n, reason },
        reason === "restart" ? t.missedRestart() : t.missedLines(n ?? 0),
      ),
  };
}
