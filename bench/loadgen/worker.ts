/**
 * A load-generator process: holds simulated clients and does what the parent
 * bench asks over IPC (see protocol.ts). Runs apart from the bench and the
 * server so that its CPU shows separately and it never measures itself.
 *
 * Run only by pool.ts: `bun bench/loadgen/worker.ts` with an IPC channel.
 */

import { churn } from "./churn.ts";
import { type SimClient, Tally } from "./client.ts";
import { openClients } from "./connect.ts";
import type {
  ChurnReply,
  Envelope,
  Progress,
  Range,
  Reply,
  Request,
  SendReply,
} from "./protocol.ts";
import { nowUs } from "./protocol.ts";

const clients: SimClient[] = [];
const tally = new Tally();

function slice(range: Range): SimClient[] {
  return clients.slice(range.from, range.to);
}

const PAYLOAD = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
const encoder = new TextEncoder();

/** `bytes` bytes of text plus "\n"; a stamp "T<µs>" leads when given. */
function message(bytes: number, stampUs?: number): Uint8Array {
  const head = stampUs === undefined ? "" : `T${stampUs}.`;
  let text = head;
  while (text.length < bytes) text += PAYLOAD;
  return encoder.encode(`${text.slice(0, Math.max(bytes, head.length))}\n`);
}

/** Resolves once every byte written so far has been taken by the kernel. */
function flushed(): Promise<void> {
  if (tally.unsent === 0) return Promise.resolve();
  return new Promise((resolve) => {
    tally.onFlushed = () => {
      tally.onFlushed = null;
      resolve();
    };
  });
}

async function send(req: Extract<Request, { op: "send" }>): Promise<SendReply> {
  const senders = slice(req.senders).filter((c) => c.joined && !c.closed);
  const total = senders.length * req.messages;
  const startUs = nowUs();
  if (req.seconds === undefined) {
    // One write per message, senders taking turns, as fast as the sockets take them.
    const line = message(req.bytes);
    for (let m = 0; m < req.messages; m++) for (const c of senders) c.write(line);
  } else {
    // Evenly spaced over the time, each line stamped when it is written.
    const spacingUs = (req.seconds * 1e6) / Math.max(1, total);
    let sent = 0;
    await new Promise<void>((done) => {
      const tick = () => {
        const due = Math.min(total, Math.floor((nowUs() - startUs) / spacingUs) + 1);
        while (sent < due) {
          (senders[sent % senders.length] as SimClient).write(message(req.bytes, nowUs()));
          sent++;
        }
        if (sent < total) setTimeout(tick, 1);
        else done();
      };
      tick();
    });
  }
  await flushed();
  return { startUs };
}

function progress(withLatency: boolean): Progress {
  return {
    joined: tally.joined,
    closed: tally.closed,
    lines: tally.lines,
    notices: tally.notices,
    lastUs: tally.lastUs,
    latency: withLatency ? tally.latency.toData() : null,
  };
}

function count(range: Range): number {
  return slice(range).reduce((n, c) => n + c.lines, 0);
}

async function allClosed(range: Range, timeoutMs: number): Promise<number> {
  const group = slice(range);
  const deadline = performance.now() + timeoutMs;
  let n = group.filter((c) => c.closed).length;
  while (n < group.length && performance.now() < deadline) {
    await Bun.sleep(10);
    n = group.filter((c) => c.closed).length;
  }
  return n;
}

/** Send "/who" through one client; resolves with the member count it answers. */
function who(index: number, timeoutMs: number): Promise<number> {
  const c = clients[index];
  if (c === undefined || !c.joined || c.closed)
    throw new Error(`client ${index} is not in the room`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.watcher = null;
      reject(new Error(`no answer to /who within ${timeoutMs} ms`));
    }, timeoutMs);
    c.watcher = (line) => {
      const match = /^\* online \((\d+)\)/.exec(line);
      if (match === null) return false;
      clearTimeout(timer);
      resolve(Number(match[1]));
      return true;
    };
    c.write(encoder.encode("/who\n"));
  });
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case "connect":
      return openClients(req.to, req.count, (i) => `${req.prefix}${i}`, clients, tally, {
        stamped: req.stamped,
        timeoutMs: req.timeoutMs,
      });
    case "send":
      return send(req);
    case "progress":
      return progress(req.latency);
    case "count":
      return count(req.range);
    case "pause":
      for (const c of slice(req.range)) c.socket?.pause();
      return null;
    case "resume":
      for (const c of slice(req.range)) c.socket?.resume();
      return null;
    case "reset":
      for (const c of slice(req.range)) c.socket?.terminate();
      return null;
    case "closed":
      return allClosed(req.range, req.timeoutMs);
    case "who":
      return who(req.client, req.timeoutMs);
    case "churn":
      return churn(req) satisfies Promise<ChurnReply>;
    case "exit":
      for (const c of clients) c.socket?.terminate();
      setTimeout(() => process.exit(0), 10);
      return null;
  }
}

function answer(reply: Reply): void {
  process.send?.(reply);
}

process.on("message", (message: Envelope) => {
  handle(message).then(
    (value) => answer({ id: message.id, ok: true, value }),
    (error: Error) => answer({ id: message.id, ok: false, error: error.message }),
  );
});

// Never outlive the bench: an orphaned worker would hold thousands of sockets.
process.on("disconnect", () => process.exit(0));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();
