/**
 * The messages between the bench (parent) and a load-generator process over
 * Bun's IPC channel. Each request carries an id; the worker answers it once
 * with the same id. Clients are addressed by their index in the worker.
 */

import type { HistogramData } from "./histogram.ts";

/** How simulated clients reach the server: TCP, TCP over TLS, or the web client's WebSocket. */
export type Transport = "tcp" | "tls" | "websocket";

/** Where the server under test listens (for "websocket", the web client's port). */
export interface Address {
  host: string;
  port: number;
  transport?: Transport;
}

/** A half-open range [from, to) of client indices in one worker. */
export interface Range {
  from: number;
  to: number;
}

export type Request =
  /**
   * Open `count` clients named prefix + number; each sends its name and waits
   * to be welcomed. `stamped` clients parse send stamps into latencies.
   */
  | {
      op: "connect";
      to: Address;
      count: number;
      prefix: string;
      stamped: boolean;
      timeoutMs: number;
    }
  /**
   * Each client in `senders` sends `messages` lines of `bytes` bytes. With
   * `seconds`, they are spread evenly over that time and carry a send
   * timestamp; without, they go out as fast as the sockets take them.
   */
  | { op: "send"; senders: Range; messages: number; bytes: number; seconds?: number }
  /**
   * Totals of the worker's clients; the latency histogram only when asked.
   * `reset` starts measuring the read gap anew once answered (a flood begins).
   */
  | { op: "progress"; latency: boolean; reset?: boolean }
  /** Chat lines the clients of a range received, summed. */
  | { op: "count"; range: Range }
  /** When the clients of a range last received a chat line (µs of {@link nowUs}), the latest; 0 if never. */
  | { op: "last"; range: Range }
  /** Stop reading (a slow reader) or start again. */
  | { op: "pause" | "resume"; range: Range }
  /** Close abortively (RST). */
  | { op: "reset"; range: Range }
  /** Wait until the range's sockets are all closed, or the time is up. */
  | { op: "closed"; range: Range; timeoutMs: number }
  /** Ask the server "/who" through one client; answers the member count. */
  | { op: "who"; client: number; timeoutMs: number }
  /** Clients that join, stay `lifeMs`, and leave (alternately FIN and RST), `rate` per second. */
  | {
      op: "churn";
      to: Address;
      seconds: number;
      rate: number;
      lifeMs: number;
      prefix: string;
    }
  | { op: "exit" };

/** A request as sent: the request plus its id. */
export type Envelope = Request & { id: number };

export interface ConnectReply {
  /** First index of the new clients; they are [from, from + joined). */
  from: number;
  joined: number;
  failed: number;
  /** First error seen, if any failed. */
  error?: string;
}

export interface SendReply {
  /** When the first line was written, in µs of {@link nowUs} (shared by all processes). */
  startUs: number;
}

export interface Progress {
  joined: number;
  closed: number;
  /** Chat lines received after joining (lines not starting with "*" or "!"). */
  lines: number;
  /** Notices and errors received after joining. */
  notices: number;
  /** When the last chat line was received, in µs of {@link nowUs}; 0 if none. */
  lastUs: number;
  /** Latency samples of timestamped lines, if any. */
  latency: HistogramData | null;
  /**
   * The longest the worker went without reading its sockets since the last
   * reset (its event loop held up by sending, parsing, or the OS), in ms.
   */
  gapMs: number;
}

export interface ChurnReply {
  cycles: number;
  failed: number;
  error?: string;
}

export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string };

/** When this process started, in wall-clock µs (the zero of performance.now()). */
const ORIGIN_US = Math.round(performance.timeOrigin * 1000);

/**
 * Microseconds on a clock every process on the machine shares: the wall-clock
 * time this process started plus the monotonic time since, so it never steps
 * while the process runs. Send stamps are read by another process than the
 * one that wrote them, and a flood's window runs from one process's first
 * send to another's last receipt, so the zero must be common. It is not for
 * process.hrtime(), which in Bun counts from the start of each process (two
 * load generators started together disagree by milliseconds, more than a
 * delivery takes); between two processes this clock agrees within a few µs.
 */
export function nowUs(): number {
  return ORIGIN_US + Math.floor(performance.now() * 1000);
}
