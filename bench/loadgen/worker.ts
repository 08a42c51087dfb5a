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
import { GapMeter } from "./gap.ts";
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

/** How often the read-gap meter's timer is due (ms): short, so that short stalls show. */
const GAP_PERIOD_MS = 2;
const gap = new GapMeter(GAP_PERIOD_MS, performance.now());
setInterval(() => gap.tick(performance.now()), GAP_PERIOD_MS).unref();

/**
 * An unpaced send writes for at most this long before the worker reads its
 * sockets again (ms). Its own clients are readers too: written in one go, a
 * large flood (150,000 writes) kept them unread for seconds, which measured
 * the load generator rather than the server.
 */
const SLICE_MS = 2;
/** Writes between two looks at the clock within a slice. */
const WRITES_PER_CHECK = 64;
/**
 * Bytes the kernel has not taken yet past which an unpaced send stops writing
 * until they are down to LOW_WATER: a flood is not queued whole in user space.
 * Not 0: lines queued behind a full socket cost a copy rather than a system
 * call each, and drain writes them out in large writes, as it did when the
 * whole flood was queued at once.
 */
const HIGH_WATER = 256 * 1024;
const LOW_WATER = HIGH_WATER / 4;

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

/** Resolves once the bytes the kernel has not taken are down to `bytes` or fewer. */
function below(bytes: number): Promise<void> {
  if (tally.unsent <= bytes) return Promise.resolve();
  return new Promise((resolve) => {
    tally.lowWater = bytes;
    tally.onLow = () => {
      tally.onLow = null;
      tally.lowWater = 0;
      resolve();
    };
  });
}

/** The next turn of the event loop, after the sockets were polled (their data handlers ran). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * `messages` writes of `line` per sender, the senders taking turns, as fast
 * as the sockets take them; in slices, so that the worker's readers are read
 * between them. A slice ends after SLICE_MS, or once HIGH_WATER bytes wait
 * for the kernel: then it waits for the sockets to drain to LOW_WATER rather
 * than queue the rest of the flood in user space.
 */
async function sendUnpaced(senders: SimClient[], messages: number, line: Uint8Array) {
  const n = senders.length;
  let round = 0;
  let next = 0;
  while (n > 0 && round < messages) {
    const until = performance.now() + SLICE_MS;
    let writes = 0;
    while (round < messages) {
      (senders[next] as SimClient).write(line);
      if (++next === n) {
        next = 0;
        round++;
      }
      if (tally.unsent > HIGH_WATER) break;
      if (++writes % WRITES_PER_CHECK === 0 && performance.now() >= until) break;
    }
    if (round >= messages) break;
    if (tally.unsent > HIGH_WATER) await below(LOW_WATER);
    else await nextTurn();
  }
}

async function send(req: Extract<Request, { op: "send" }>): Promise<SendReply> {
  const senders = slice(req.senders).filter((c) => c.joined && !c.closed);
  const total = senders.length * req.messages;
  const startUs = nowUs();
  if (req.seconds === undefined) {
    await sendUnpaced(senders, req.messages, message(req.bytes));
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

function progress(withLatency: boolean, reset: boolean): Progress {
  const gapMs = gap.maxMs;
  if (reset) gap.reset(performance.now());
  return {
    joined: tally.joined,
    closed: tally.closed,
    lines: tally.lines,
    notices: tally.notices,
    lastUs: tally.lastUs,
    latency: withLatency ? tally.latency.toData() : null,
    gapMs,
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
      return progress(req.latency, req.reset ?? false);
    case "count":
      return count(req.range);
    case "last":
      return slice(req.range).reduce((latest, c) => Math.max(latest, c.lastUs), 0);
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
