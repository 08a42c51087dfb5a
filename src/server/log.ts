/**
 * The operator log: where the server listens, then one line per connection
 * event (time, remote address, name, how it came, why it ended). Never
 * message text. Written in English and printed in --lang (log-text.ts), or
 * as JSON lines for log shippers (log-json.ts).
 */

import type { Lang } from "../protocol/lang.ts";
import { consoleWords } from "./log-text.ts";

/** Who an event is about; read only when the event is actually logged. */
export interface Peer {
  readonly address: string;
  readonly name: string;
  /** Its address without the port, for a JSON log's `ip` (log-json.ts). */
  readonly host?: string;
  /** How it connected: "tcp", "tls" or "ws" (session/client.ts). */
  readonly transport?: string;
}

export interface Log {
  /** Always printed: startup, shutdown, limits the server had to lower. */
  info(text: string): void;
  /**
   * Something that happened while serving (the cluster's link, an error in a
   * handler): always printed, with the time, like connection events.
   */
  note(text: string): void;
  /** One connection event; silenced by --quiet. */
  event(peer: Peer, text: string): void;
}

/** A log writing to stdout in `lang`; `quiet` drops connection events. */
export function consoleLog(
  quiet: boolean,
  write: (line: string) => void = stdoutLine,
  now: () => Date = () => new Date(),
  lang: Lang = "en",
): Log {
  const words = consoleWords(lang);
  return {
    info: (text) => write(words(text)),
    note: (text) => write(`${localTime(now())} ${words(text)}`),
    event: quiet
      ? () => {}
      : (peer, text) => {
          const name = peer.name ? ` ${peer.name}` : "";
          write(`${localTime(now())} ${peer.address}${name} ${words(text)}`);
        },
  };
}

/**
 * "2026-12-01 21:05:03" in the machine's time zone, the clock the operator
 * (and papo's client) reads, rather than UTC.
 */
export function localTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  return `${day} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

export function stdoutLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A log that records nothing (tests, embedding). */
export const silentLog: Log = { info() {}, note() {}, event() {} };
