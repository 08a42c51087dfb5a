/**
 * --workers: a scrape lands on whichever worker the kernel picks, so no
 * worker answers /metrics with its own figures. It asks the supervisor
 * (over the IPC channel Bun.spawn opens), which asks every worker for its
 * series, sums them with prom-client's aggregator (gauges such as the Redis
 * link's state take the worst, lines the largest, the rest the sum), adds
 * how many workers answered and how many did not in time, and sends the
 * text back. Counters carry over a worker's restart (Carried), so that the
 * sums Prometheus reads never go backwards. Nothing here knows the room:
 * only messages and series.
 */

import { AggregatorRegistry, Gauge } from "prom-client";
import type { MetricJson, Metrics } from "./registry.ts";
import type { Gather } from "./routes.ts";

export const GATHER = {
  /**
   * How long the supervisor waits for the workers' series (ms); who is late
   * counts as missing. A worker answers in milliseconds; a busy machine's
   * may take a second: well within Prometheus's 10 s scrape timeout.
   */
  waitMs: 2_000,
  /** How long a worker waits for the supervisor's sum before the scrape fails (ms). */
  askMs: 4_000,
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

/** Series that only grow while their worker runs: the ones a restart sets back to 0. */
const GROWING: ReadonlySet<string> = new Set(["counter", "histogram"]);

function grows(metric: MetricJson): boolean {
  return GROWING.has(String(metric.type));
}

/** One sample's identity within its worker's series: its name, its own name (a bucket's), its labels. */
function sampleKey(metric: MetricJson, value: MetricJson["values"][number]): string {
  const own = (value as { metricName?: string }).metricName ?? "";
  const labels = Object.entries(value.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${metric.name} ${own} ${JSON.stringify(labels)}`;
}

/**
 * Per worker slot, its counters as the sum sees them. A worker that restarts
 * counts from 0 again: when one of its counters goes down, what it had
 * counted becomes an offset added to all it counts from then on, so a sum
 * over the workers never goes backwards. Gauges pass as they are.
 */
export class Carried {
  private readonly samples = new Map<number, Map<string, { last: number; offset: number }>>();
  private readonly counted = new Map<number, MetricJson[]>();

  /** Worker `slot`'s series with its counters carried over its restarts. */
  adjust(slot: number, metrics: MetricJson[]): MetricJson[] {
    let seen = this.samples.get(slot);
    if (seen === undefined) {
      seen = new Map();
      this.samples.set(slot, seen);
    }
    const known = seen;
    const out = metrics.map((metric) => {
      if (!grows(metric)) return metric;
      const values = metric.values.map((v) => {
        const key = sampleKey(metric, v);
        const was = known.get(key) ?? { last: 0, offset: 0 };
        const offset = v.value < was.last ? was.offset + was.last : was.offset;
        known.set(key, { last: v.value, offset });
        return { ...v, value: v.value + offset };
      });
      return { ...metric, values };
    });
    this.counted.set(slot, out.filter(grows));
    return out;
  }

  /** What worker `slot` had counted when it last answered (none yet: empty), for a scrape it missed. */
  lastCounted(slot: number): MetricJson[] {
    return this.counted.get(slot) ?? [];
  }
}

/** The supervisor's side: rounds of asking every worker, one per scrape. */
export class Sums {
  private rounds = 0;
  private readonly carried = new Carried();
  private readonly open = new Map<
    number,
    { answers: Map<number, MetricJson[]>; waiting: Set<number>; done: () => void }
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
      round.answers.set(from, this.carried.adjust(from, message.metrics));
      if (round.waiting.size === 0) round.done();
    }
  }

  /** Every worker's series, summed, as the text format; to worker `from` as the answer to `id`. */
  private async scrape(id: number, from: number): Promise<void> {
    const workers = this.workers();
    const round = ++this.rounds;
    const answers = new Map<number, MetricJson[]>();
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
    // A worker late for this scrape (or gone) still counted what it counted: its last counters stand in.
    const missed = [...workers.keys()].filter((n) => !answers.has(n));
    const counted = missed.map((n) => this.carried.lastCounted(n)).filter((m) => m.length > 0);
    const text = await sum([...answers.values()], missed.length, counted);
    workers.get(from)?.send({ papo: "scraped", id, text });
  }
}

/**
 * The workers' series as one registry's text, with how many answered; the
 * counters of the workers that did not (`counted`, as they last were) are
 * summed in too, and the missing ones counted in papo_workers all the same.
 */
export async function sum(
  answers: MetricJson[][],
  missing: number,
  counted: MetricJson[][] = [],
): Promise<string> {
  const registry = AggregatorRegistry.aggregate([...answers, ...counted]);
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
