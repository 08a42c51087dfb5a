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
  /** Send each text as write() would (one frame each on a WebSocket), all in one write to the socket. */
  writeAll(data: readonly string[]): void;
  /** Send one line ("\n" appended). */
  send(line: string): void;
  /** Bytes written by the test but not yet taken by the kernel. */
  readonly unsent: number;
  /** Resolves once `unsent` is at most `bytes` (the kernel took the rest). */
  sent(bytes?: number): Promise<void>;
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

/**
 * `tls`: speak TLS, accepting the test server's self-signed certificate.
 * `websocket`: the web client's transport, spoken by hand over the same
 * socket (handshake, then frames), so a test can stop reading a browser-like
 * peer exactly as it stops a TCP one: lines go out as one text frame per
 * write and come back from the server's frames. `headers` ("Name: value")
 * go with the WebSocket's upgrade (X-Forwarded-For, as a proxy adds it).
 */
export async function connect(
  port: number,
  host = "127.0.0.1",
  tls = false,
  websocket = false,
  headers: readonly string[] = [],
): Promise<LineClient> {
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
  const drainWaiters: Array<() => void> = [];

  const frames = new FrameReader(() => wake());
  const socket = await Bun.connect({
    hostname: host,
    port,
    ...(tls ? { tls: { rejectUnauthorized: false } } : {}),
    socket: {
      data(_s, raw) {
        const chunk = websocket ? frames.feed(raw) : raw;
        if (chunk === null) return;
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
        for (const w of drainWaiters.splice(0)) w();
      },
      close() {
        isClosed = true;
        markClosed();
        wake();
        for (const w of drainWaiters.splice(0)) w();
      },
      error() {},
    },
  });
  // Bun's write drops what the kernel does not take: the shared Outbox keeps the
  // rest, in order, and sends it on drain. No cap: a test decides how much it sends.
  const outbox = new Outbox(socket, Number.POSITIVE_INFINITY);
  const encoder = new TextEncoder();
  const wire = (data: string | Uint8Array) => {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    return websocket ? frame(typeof data === "string" ? 1 : 2, bytes) : bytes;
  };
  const enqueue = (data: string | Uint8Array) => outbox.send(wire(data));
  if (websocket) {
    outbox.send(encoder.encode(upgradeRequest(host, port, headers)));
    await frames.upgraded;
  }

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
    writeAll(data) {
      const parts = data.map(wire);
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      outbox.send(all);
    },
    send(line) {
      enqueue(`${line}\n`);
    },
    get unsent() {
      return outbox.backlog;
    },
    async sent(bytes = 0) {
      while (outbox.backlog > bytes && !isClosed) {
        await new Promise<void>((resolve) => drainWaiters.push(resolve));
      }
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

function upgradeRequest(host: string, port: number, headers: readonly string[]): string {
  return [
    "GET /ws HTTP/1.1",
    `Host: ${host}:${port}`,
    ...headers,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    "",
    "",
  ].join("\r\n");
}

/** One client frame (FIN set, masked with a zero key, which RFC 6455 allows). */
function frame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = new Uint8Array(head + 4 + n);
  out[0] = 0x80 | opcode;
  if (n < 126) out[1] = 0x80 | n;
  else if (n < 65536) {
    out[1] = 0x80 | 126;
    out[2] = n >> 8;
    out[3] = n & 0xff;
  } else {
    out[1] = 0x80 | 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(n));
  }
  out.set(payload, head + 4);
  return out;
}

/** The server's side of a WebSocket: the 101 response, then unmasked frames' payloads. */
class FrameReader {
  private pending = new Uint8Array(0);
  private open = false;
  private opened: () => void = () => {};
  private refused: (error: Error) => void = () => {};
  readonly upgraded = new Promise<void>((resolve, reject) => {
    this.opened = resolve;
    this.refused = reject;
  });

  constructor(private readonly woke: () => void) {}

  /** Bytes in; the data frames' payloads completed so far out (null for none). */
  feed(chunk: Uint8Array): Uint8Array | null {
    const joined = new Uint8Array(this.pending.length + chunk.length);
    joined.set(this.pending);
    joined.set(chunk, this.pending.length);
    let at = 0;
    if (!this.open) {
      const end = Buffer.from(joined).indexOf("\r\n\r\n");
      if (end === -1) {
        this.pending = joined;
        return null;
      }
      const head = new TextDecoder().decode(joined.subarray(0, end));
      if (!head.startsWith("HTTP/1.1 101")) this.refused(new Error(head.split("\r\n")[0]));
      this.open = true;
      this.opened();
      at = end + 4;
    }
    const out: Uint8Array[] = [];
    for (;;) {
      if (joined.length - at < 2) break;
      const opcode = (joined[at] as number) & 0x0f;
      let length = (joined[at + 1] as number) & 0x7f;
      let head = 2;
      if (length === 126) {
        if (joined.length - at < 4) break;
        length = ((joined[at + 2] as number) << 8) | (joined[at + 3] as number);
        head = 4;
      } else if (length === 127) {
        if (joined.length - at < 10) break;
        length = Number(new DataView(joined.buffer, joined.byteOffset + at + 2, 8).getBigUint64(0));
        head = 10;
      }
      if (joined.length - at < head + length) break;
      if (opcode === 1 || opcode === 2 || opcode === 0) {
        out.push(joined.slice(at + head, at + head + length));
      }
      at += head + length;
    }
    this.pending = joined.slice(at);
    this.woke();
    if (out.length === 0) return null;
    return out.length === 1 ? (out[0] as Uint8Array) : Buffer.concat(out);
  }
}
