/**
 * The bench's side of the load generators: starts the worker processes, turns
 * IPC into awaited requests, and spreads groups of clients over the workers so
 * that scenarios speak of "the 1,000 clients" rather than of processes.
 */

import { join } from "node:path";
import type { Subprocess } from "bun";
import { track } from "../children.ts";
import { STOP_TIMEOUT_MS } from "../config.ts";
import { Histogram } from "./histogram.ts";
import type {
  Address,
  ConnectReply,
  Progress,
  Range,
  Reply,
  Request,
  SendReply,
} from "./protocol.ts";

const WORKER = join(import.meta.dir, "worker.ts");

/** One load-generator process. */
export class Loadgen {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private readonly proc: Subprocess;

  constructor() {
    this.proc = track(
      Bun.spawn([process.execPath, WORKER], {
        stdin: "ignore",
        stdout: "inherit",
        stderr: "inherit",
        ipc: (reply: Reply) => this.answered(reply),
      }),
    );
    this.proc.exited.then((code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`load generator exited (${code})`));
      this.waiting.clear();
    });
  }

  get pid(): number {
    return this.proc.pid;
  }

  request<T>(req: Request): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ ...req, id });
    });
  }

  private answered(reply: Reply): void {
    const waiter = this.waiting.get(reply.id);
    if (waiter === undefined) return;
    this.waiting.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new Error(reply.error));
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.request({ op: "exit" }).catch(() => {});
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await this.proc.exited;
    clearTimeout(timer);
  }
}

/** Some clients, spread over the load generators: a range of client indices in each. */
export type Group = ReadonlyArray<{ gen: Loadgen; range: Range }>;

/** How many clients a group holds. */
export function sizeOf(group: Group): number {
  return group.reduce((n, part) => n + part.range.to - part.range.from, 0);
}

/** The first `count` clients of a group, taken from each part as evenly as possible. */
export function take(group: Group, count: number): Group {
  const out: Array<{ gen: Loadgen; range: Range }> = [];
  let left = Math.min(count, sizeOf(group));
  let parts = group.length;
  for (const { gen, range } of group) {
    const size = range.to - range.from;
    const n = Math.min(size, Math.ceil(left / parts));
    if (n > 0) out.push({ gen, range: { from: range.from, to: range.from + n } });
    left -= n;
    parts--;
  }
  return out;
}

/** Every client of a group as a group of its own, in order. */
export function singles(group: Group): Group[] {
  return group.flatMap(({ gen, range }) =>
    Array.from({ length: range.to - range.from }, (_, i) => [
      { gen, range: { from: range.from + i, to: range.from + i + 1 } },
    ]),
  );
}

/** Summed progress of all the load generators. */
export interface PoolProgress extends Omit<Progress, "latency" | "gapMs"> {
  latency: Histogram | null;
  /** Each load generator's longest read gap since its last reset, in ms (not summed). */
  gapMs: number[];
}

export interface Connected {
  group: Group;
  joined: number;
  failed: number;
  error?: string;
  ms: number;
}

export class Pool {
  private constructor(readonly gens: readonly Loadgen[]) {}

  static start(count: number): Pool {
    return new Pool(Array.from({ length: Math.max(1, count) }, () => new Loadgen()));
  }

  get pids(): number[] {
    return this.gens.map((g) => g.pid);
  }

  /** Open `count` clients spread over the workers; names start with `prefix`. */
  async connect(
    to: Address,
    count: number,
    prefix: string,
    options: { stamped?: boolean; timeoutMs: number },
  ): Promise<Connected> {
    const started = performance.now();
    const shares = this.gens.map((_, i) => share(count, this.gens.length, i));
    const replies = await Promise.all(
      this.gens.map((gen, i) =>
        gen.request<ConnectReply>({
          op: "connect",
          to,
          count: shares[i] as number,
          prefix: `${prefix}${i}n`,
          stamped: options.stamped ?? false,
          timeoutMs: options.timeoutMs,
        }),
      ),
    );
    const group = replies
      .map((r, i) => ({
        gen: this.gens[i] as Loadgen,
        range: { from: r.from, to: r.from + (shares[i] as number) },
      }))
      .filter((part) => part.range.to > part.range.from);
    return {
      group,
      joined: replies.reduce((n, r) => n + r.joined, 0),
      failed: replies.reduce((n, r) => n + r.failed, 0),
      error: replies.find((r) => r.error !== undefined)?.error,
      ms: performance.now() - started,
    };
  }

  /** Every client of `senders` sends; resolves when all is taken by the kernel. */
  async send(
    senders: Group,
    messages: number,
    bytes: number,
    seconds?: number,
  ): Promise<SendReply> {
    const replies = await Promise.all(
      senders.map(({ gen, range }) =>
        gen.request<SendReply>({ op: "send", senders: range, messages, bytes, seconds }),
      ),
    );
    return { startUs: Math.min(...replies.map((r) => r.startUs)) };
  }

  /**
   * How far the load generators are; the merged latency histogram when asked.
   * `reset` starts each generator's read gap anew (call it as a flood begins).
   */
  async progress(latency = false, reset = false): Promise<PoolProgress> {
    const all = await Promise.all(
      this.gens.map((g) => g.request<Progress>({ op: "progress", latency, reset })),
    );
    const sum = (key: "joined" | "closed" | "lines" | "notices") =>
      all.reduce((n, p) => n + p[key], 0);
    let histogram: Histogram | null = null;
    if (latency) {
      histogram = new Histogram();
      for (const p of all) if (p.latency) histogram.merge(p.latency);
    }
    return {
      joined: sum("joined"),
      closed: sum("closed"),
      lines: sum("lines"),
      notices: sum("notices"),
      lastUs: Math.max(...all.map((p) => p.lastUs)),
      latency: histogram,
      gapMs: all.map((p) => p.gapMs),
    };
  }

  /** Chat lines the clients of a group received, summed over its parts. */
  async count(group: Group): Promise<number> {
    const all = await Promise.all(
      group.map(({ gen, range }) => gen.request<number>({ op: "count", range })),
    );
    return all.reduce((n, lines) => n + lines, 0);
  }

  /** When the clients of a group last received a chat line (µs of nowUs), the latest; 0 if never. */
  async lastUs(group: Group): Promise<number> {
    const all = await Promise.all(
      group.map(({ gen, range }) => gen.request<number>({ op: "last", range })),
    );
    return Math.max(0, ...all);
  }

  /** Apply a per-range operation to every part of a group. */
  async each(group: Group, op: "pause" | "resume" | "reset"): Promise<void> {
    await Promise.all(group.map(({ gen, range }) => gen.request({ op, range })));
  }

  /** Wait for the group's sockets to close; resolves with how many did. */
  async closed(group: Group, timeoutMs: number): Promise<number> {
    const all = await Promise.all(
      group.map(({ gen, range }) => gen.request<number>({ op: "closed", range, timeoutMs })),
    );
    return all.reduce((n, c) => n + c, 0);
  }

  /** The member count, asked with "/who" through the first client of `via`. */
  who(via: Group, timeoutMs: number): Promise<number> {
    const part = via[0];
    if (part === undefined) throw new Error("no client to ask /who through");
    return part.gen.request<number>({ op: "who", client: part.range.from, timeoutMs });
  }

  async stop(): Promise<void> {
    await Promise.all(this.gens.map((g) => g.stop()));
  }
}

/** Worker i's part when `total` is split over `parts` as evenly as possible. */
export function share(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}
