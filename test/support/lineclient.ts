/**
 * A raw protocol peer for socket tests: connects with Bun.connect, collects
 * every received line, and lets a test wait for the next one with a deadline.
 */

import type { Socket } from "bun";
import { Outbox } from "../../src/net/outbox.ts";

export interface LineClient {
  /** Lines received so far and not yet taken by next(). */
  readonly buffered: string[];
  /** Resolves with the next line, or rejects after `ms`. */
  next(ms?: number): Promise<string>;
  /** Take lines until one satisfies `match`; returns it (the skipped lines are dropped). */
  until(match: (line: string) => boolean, ms?: number): Promise<string>;
  /** Resolve once nothing arrives for `ms`; returns what did arrive. */
  quiet(ms?: number): Promise<string[]>;
  /** Send raw text or bytes (no newline added). */
  write(data: string | Uint8Array): void;
  /** Send one line ("\n" appended). */
  send(line: string): void;
  /** Bytes written by the test but not yet taken by the kernel. */
  readonly unsent: number;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;
  isClosed(): boolean;
  /** Stop reading from the kernel (a slow reader); resume() starts again. */
  pause(): void;
  resume(): void;
  end(): void;
  /** Abortive close (RST). */
  reset(): void;
  readonly socket: Socket<undefined>;
}

/** `tls`: speak TLS, accepting the test server's self-signed certificate. */
export async function connect(port: number, host = "127.0.0.1", tls = false): Promise<LineClient> {
  const buffered: string[] = [];
  const waiters: Array<() => void> = [];
  const decoder = new TextDecoder();
  let partial = "";
  let isClosed = false;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };

  const socket = await Bun.connect({
    hostname: host,
    port,
    ...(tls ? { tls: { rejectUnauthorized: false } } : {}),
    socket: {
      data(_s, chunk) {
        partial += decoder.decode(chunk, { stream: true });
        let nl = partial.indexOf("\n");
        while (nl !== -1) {
          buffered.push(partial.slice(0, nl));
          partial = partial.slice(nl + 1);
          nl = partial.indexOf("\n");
        }
        wake();
      },
      drain() {
        outbox.flush();
      },
      close() {
        isClosed = true;
        markClosed();
        wake();
      },
      error() {},
    },
  });
  // Bun's write drops what the kernel does not take: the shared Outbox keeps the
  // rest, in order, and sends it on drain. No cap: a test decides how much it sends.
  const outbox = new Outbox(socket, Number.POSITIVE_INFINITY);
  const encoder = new TextEncoder();
  const enqueue = (data: string | Uint8Array) => {
    outbox.send(typeof data === "string" ? encoder.encode(data) : data);
  };

  const waitChange = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  const client: LineClient = {
    buffered,
    async next(ms = 3000) {
      const deadline = Date.now() + ms;
      while (buffered.length === 0) {
        if (isClosed) throw new Error("connection closed while waiting for a line");
        const left = deadline - Date.now();
        if (left <= 0 || !(await waitChange(left))) {
          throw new Error(`no line within ${ms} ms`);
        }
      }
      return buffered.shift() as string;
    },
    async until(match, ms = 3000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const line = await client.next(Math.max(1, deadline - Date.now()));
        if (match(line)) return line;
      }
    },
    async quiet(ms = 200) {
      while (await waitChange(ms)) {
        if (isClosed) break;
      }
      return buffered.splice(0);
    },
    write(data) {
      enqueue(data);
    },
    send(line) {
      enqueue(`${line}\n`);
    },
    get unsent() {
      return outbox.backlog;
    },
    closed,
    isClosed: () => isClosed,
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    end() {
      socket.end();
    },
    reset() {
      socket.terminate();
    },
    socket,
  };
  return client;
}

/**
 * Make `client` read in short bursts (1 ms of reading, then `pauseMs` of
 * not): a reader far slower than a sender on loopback, but never stalled.
 * Returns a function that stops throttling and reads at full speed again.
 */
export function readSlowly(client: LineClient, pauseMs: number): () => void {
  let stopped = false;
  const tick = () => {
    if (stopped || client.isClosed()) return;
    client.resume();
    setTimeout(() => {
      if (stopped) return;
      client.pause();
      setTimeout(tick, pauseMs);
    }, 1);
  };
  tick();
  return () => {
    stopped = true;
    client.resume();
  };
}
