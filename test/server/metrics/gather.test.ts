import { describe, expect, test } from "bun:test";
import { Counter, Gauge, Registry } from "prom-client";
import { Carried, type Message, Sums, sum } from "../../../src/server/metrics/gather.ts";
import type { MetricJson } from "../../../src/server/metrics/registry.ts";
import { samples } from "../../support/scrape.ts";
import { eventually } from "../../support/server.ts";

/** One worker's series: its members, and the Redis link's state. */
async function series(members: number, up: number): Promise<MetricJson[]> {
  const registry = new Registry();
  new Gauge({ name: "papo_members", help: "m", registers: [registry] }).set(members);
  new Gauge({ name: "papo_redis_up", help: "u", registers: [registry], aggregator: "min" }).set(up);
  new Counter({
    name: "papo_lines_total",
    help: "l",
    registers: [registry],
    aggregator: "max",
  }).inc(members * 10);
  return (await registry.getMetricsAsJSON()) as MetricJson[];
}

describe("sum", () => {
  test("members add up, the link is as its worst worker has it, lines are the room's", async () => {
    const s = samples(await sum([await series(2, 1), await series(3, 0)], 1));
    expect(s.get("papo_members")).toBe(5);
    expect(s.get("papo_redis_up")).toBe(0);
    expect(s.get("papo_lines_total")).toBe(30);
    expect(s.get('papo_workers{state="answered"}')).toBe(2);
    expect(s.get('papo_workers{state="missing"}')).toBe(1);
  });
});

describe("Sums", () => {
  test("a scrape asks every worker, waits for the late ones no longer than its bound, answers the one that asked", async () => {
    const sent: Array<[number, Message]> = [];
    const worker = (n: number) => ({ send: (m: Message) => sent.push([n, m]) });
    const workers = new Map([
      [1, worker(1)],
      [2, worker(2)],
      [3, worker(3)],
    ]);
    const sums = new Sums(() => workers, 50);
    sums.heard({ papo: "scrape", id: 7 }, 2);
    const asked = sent.filter(([, m]) => m.papo === "collect");
    expect(asked.map(([n]) => n)).toEqual([1, 2, 3]);
    const first = asked[0]?.[1];
    if (first?.papo !== "collect") throw new Error("no worker was asked");
    const { round } = first;
    sums.heard({ papo: "collected", round, metrics: await series(1, 1) }, 1);
    sums.heard({ papo: "collected", round, metrics: await series(4, 1) }, 2);
    // Worker 3 never answers; an answer twice, or from nobody asked, counts for nothing.
    sums.heard({ papo: "collected", round, metrics: await series(100, 1) }, 2);
    sums.heard({ papo: "collected", round: round + 1, metrics: await series(100, 1) }, 3);
    await eventually(() => sent.some(([, m]) => m.papo === "scraped"), 2000);
    const [to, answer] = sent.find(([, m]) => m.papo === "scraped") ?? [0, null];
    expect(to).toBe(2);
    if (answer?.papo !== "scraped") throw new Error("no answer");
    expect(answer.id).toBe(7);
    const s = samples(answer.text);
    expect(s.get("papo_members")).toBe(5);
    expect(s.get('papo_workers{state="missing"}')).toBe(1);
  });
});

/** One worker's deliveries so far (a counter) and members now (a gauge). */
async function counted(deliveries: number, members: number): Promise<MetricJson[]> {
  const registry = new Registry();
  new Counter({ name: "papo_deliveries_total", help: "d", registers: [registry] }).inc(deliveries);
  new Gauge({ name: "papo_members", help: "m", registers: [registry] }).set(members);
  return (await registry.getMetricsAsJSON()) as MetricJson[];
}

describe("Carried", () => {
  test("a worker that restarts keeps what it had counted: the sum never goes back; gauges do", async () => {
    const carried = new Carried();
    const scrape = async (one: [number, number], two: [number, number]) =>
      samples(
        await sum(
          [carried.adjust(1, await counted(...one)), carried.adjust(2, await counted(...two))],
          0,
        ),
      );
    let s = await scrape([10, 3], [1, 1]);
    expect([s.get("papo_deliveries_total"), s.get("papo_members")]).toEqual([11, 4]);
    // Worker 1 restarts: its own count starts again from 0; its members left.
    s = await scrape([2, 1], [1, 1]);
    expect([s.get("papo_deliveries_total"), s.get("papo_members")]).toEqual([13, 2]);
    s = await scrape([5, 1], [1, 1]);
    expect([s.get("papo_deliveries_total"), s.get("papo_members")]).toEqual([16, 2]);
    // A second restart adds to what the first left.
    s = await scrape([1, 0], [4, 1]);
    expect([s.get("papo_deliveries_total"), s.get("papo_members")]).toEqual([20, 1]);
  });

  test("worker 1 reports 10, restarts and reports 2, then 5: 12, then 15", async () => {
    const carried = new Carried();
    const total = async (n: number) =>
      samples(await sum([carried.adjust(1, await counted(n, 0))], 0)).get("papo_deliveries_total");
    expect(await total(10)).toBe(10);
    expect(await total(2)).toBe(12);
    expect(await total(5)).toBe(15);
  });

  test("a worker late for a scrape still counts what it had counted", async () => {
    const sent: Array<[number, Message]> = [];
    const worker = (n: number) => ({ send: (m: Message) => sent.push([n, m]) });
    const workers = new Map([
      [1, worker(1)],
      [2, worker(2)],
    ]);
    const sums = new Sums(() => workers, 50);
    const scrape = async (id: number, answers: Array<[number, MetricJson[]]>) => {
      sums.heard({ papo: "scrape", id }, 1);
      const asked = sent.findLast(([, m]) => m.papo === "collect")?.[1];
      if (asked?.papo !== "collect") throw new Error("no worker was asked");
      for (const [n, metrics] of answers) {
        sums.heard({ papo: "collected", round: asked.round, metrics }, n);
      }
      const answered = () => sent.find(([, m]) => m.papo === "scraped" && m.id === id)?.[1];
      await eventually(() => answered() !== undefined, 2000);
      const answer = answered();
      if (answer?.papo !== "scraped") throw new Error("no answer");
      return samples(answer.text);
    };
    const both = await scrape(1, [
      [1, await counted(10, 2)],
      [2, await counted(7, 3)],
    ]);
    expect(both.get("papo_deliveries_total")).toBe(17);
    const late = await scrape(2, [[1, await counted(11, 2)]]);
    expect(late.get("papo_deliveries_total")).toBe(18);
    expect(late.get("papo_members")).toBe(2);
    expect(late.get('papo_workers{state="missing"}')).toBe(1);
  });
});
