/**
 * --workers: a scrape lands on whichever worker the kernel picks, so no
 * worker answers /metrics with its own figures. It asks the supervisor
 * (over the IPC channel Bun.spawn opens), which asks every worker for its
 * series, sums them with prom-client's aggregator (gauges such as the Redis
 * link's state take the worst, lines the largest, the rest the sum), adds
 * how many workers answered and how many did not in time, and sends the
 * text back. Nothing here knows the room: only messages and series.
 */

import { AggregatorRegistry, Gauge } from "prom-client";
import type { MetricJson, Metrics } from "./registry.ts";
import type { Gather } from "./routes.ts";

export const GATHER = {
  /** How long the supervisor waits for the workers' series (ms); who is late counts as missing. */
  waitMs: 1_000,
  /** How long a worker waits for the supervisor's sum before the scrape fails (ms). */
  askMs: 3_000,
} as const;

/** The messages between a worker and its supervisor. */
export type Message =
  | { papo: "scrape"; id: number }
  | { papo: "collect"; round: number }
  | { papo: "collected"; round: number; metrics: MetricJson[] }
  | { papo: "scraped"; id: number; text: string };

function isMessage(m: unknown): m is Message {
  return typeof m === "object" && m !== null && typeof (m as { papo?: unknown }).papo === "string";
}

/** What the supervisor needs of a worker: a way to send it a message. */
export interface Worker {
  send(message: Message): void;
}

/** The supervisor's side: rounds of asking every worker, one per scrape. */
export class Sums {
  private rounds = 0;
  private readonly open = new Map<
    number,
    { answers: MetricJson[][]; waiting: Set<number>; done: () => void }
  >();

  /** @param workers the workers now, by number. */
  constructor(
    private readonly workers: () => ReadonlyMap<number, Worker>,
    private readonly waitMs: number = GATHER.waitMs,
  ) {}

  /** A message from worker `from`. */
  heard(message: unknown, from: number): void {
    if (!isMessage(message)) return;
    if (message.papo === "scrape") void this.scrape(message.id, from);
    else if (message.papo === "collected") {
      const round = this.open.get(message.round);
      if (round === undefined || !round.waiting.delete(from)) return;
      round.answers.push(message.metrics);
      if (round.waiting.size === 0) round.done();
    }
  }

  /** Every worker's series, summed, as the text format; to worker `from` as the answer to `id`. */
  private async scrape(id: number, from: number): Promise<void> {
    const workers = this.workers();
    const round = ++this.rounds;
    const answers: MetricJson[][] = [];
    const waiting = new Set(workers.keys());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.waitMs);
      this.open.set(round, {
        answers,
        waiting,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      for (const [n, worker] of workers) {
        try {
          worker.send({ papo: "collect", round });
        } catch {
          waiting.delete(n);
        }
      }
      if (waiting.size === 0) resolve();
    });
    this.open.delete(round);
    const text = await sum(answers, workers.size - answers.length);
    workers.get(from)?.send({ papo: "scraped", id, text });
  }
}

/** The workers' series as one registry's text, with how many answered. */
export async function sum(answers: MetricJson[][], missing: number): Promise<string> {
  const registry = AggregatorRegistry.aggregate(answers);
  const workers = new Gauge({
    name: "papo_workers",
    help: "Workers whose figures this scrape sums (answered) or lacks (missing: late or gone)",
    labelNames: ["state"],
    registers: [registry],
  });
  workers.set({ state: "answered" }, answers.length);
  workers.set({ state: "missing" }, missing);
  return registry.metrics();
}

/**
 * A worker's side: answer the supervisor's "collect" with this server's
 * series, and ask it for the sum on a scrape. Null when this process is no
 * worker (no IPC channel).
 */
export function workerGather(metrics: Metrics): Gather | null {
  const send = process.send?.bind(process);
  if (send === undefined) return null;
  let asked = 0;
  const waiting = new Map<number, (text: string) => void>();
  process.on("message", (message: unknown) => {
    if (!isMessage(message)) return;
    if (message.papo === "collect") {
      void metrics
        .json()
        .then((json) => send({ papo: "collected", round: message.round, metrics: json }));
    } else if (message.papo === "scraped") {
      waiting.get(message.id)?.(message.text);
      waiting.delete(message.id);
    }
  });
  return () => {
    const id = ++asked;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error("the supervisor did not sum the workers' figures in time"));
      }, GATHER.askMs);
      waiting.set(id, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      send({ papo: "scrape", id });
    });
  };
}
