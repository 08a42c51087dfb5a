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
  /** Totals of the worker's clients; the latency histogram only when asked. */
  | { op: "progress"; latency: boolean }
  /** Chat lines the clients of a range received, summed. */
  | { op: "count"; range: Range }
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
  /** Monotonic clock (µs, shared by all processes) when the first line was written. */
  startUs: number;
}

export interface Progress {
  joined: number;
  closed: number;
  /** Chat lines received after joining (lines not starting with "*" or "!"). */
  lines: number;
  /** Notices and errors received after joining. */
  notices: number;
  /** Monotonic µs of the last chat line received, 0 if none. */
  lastUs: number;
  /** Latency samples of timestamped lines, if any. */
  latency: HistogramData | null;
}

export interface ChurnReply {
  cycles: number;
  failed: number;
  error?: string;
}

export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string };

/** Monotonic microseconds, comparable between processes on one machine. */
export function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + Math.floor(ns / 1e3);
}
