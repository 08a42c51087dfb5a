/**
 * The three scenarios run against papo and both baselines: room (a few
 * senders, unpaced), crowd (everyone sends, unpaced) and paced (a steady rate
 * with a send stamp in every line, for latency). One shape, three sizes.
 */

import { take } from "../loadgen/pool.ts";
import type { TargetName } from "../targets.ts";
import { type Context, connectAll, flood, record, type Sizes, withServer } from "./harness.ts";
import { emptyResult, type Result } from "./result.ts";

/** Room: `senders` of `clients` each send `messages` lines as fast as they can. */
export function room(target: TargetName, s: Sizes<"room">, ctx: Context): Promise<Result> {
  return broadcast("room", target, ctx, {
    clients: s.clients,
    senders: s.senders,
    messages: s.messages,
    bytes: s.bytes,
  });
}

/** Crowd: every client sends `messages` lines, all at once. */
export function crowd(target: TargetName, s: Sizes<"crowd">, ctx: Context): Promise<Result> {
  return broadcast("crowd", target, ctx, {
    clients: s.clients,
    senders: s.clients,
    messages: s.messages,
    bytes: s.bytes,
  });
}

/** Paced: `rate` lines per second in all, from `senders`, for `seconds`; reports latency. */
export function paced(target: TargetName, s: Sizes<"paced">, ctx: Context): Promise<Result> {
  const messages = Math.max(1, Math.round((s.rate * s.seconds) / s.senders));
  return broadcast("paced", target, ctx, {
    clients: s.clients,
    senders: s.senders,
    messages,
    bytes: s.bytes,
    seconds: s.seconds,
  });
}

interface Shape {
  clients: number;
  senders: number;
  messages: number;
  bytes: number;
  seconds?: number;
}

function broadcast(
  scenario: "room" | "crowd" | "paced",
  target: TargetName,
  ctx: Context,
  shape: Shape,
): Promise<Result> {
  const { clients, messages, bytes, seconds } = shape;
  const senders = Math.min(shape.senders, clients);
  return withServer(scenario, target, { maxClients: clients + 16 }, ctx, async (setup) => {
    const result = emptyResult(scenario, target, clients);
    const stamped = seconds !== undefined;
    const { group, ms } = await connectAll(setup, clients, "c", stamped);
    const expected = senders * messages * (clients - 1);
    const outcome = await flood(setup, {
      senders: take(group, senders),
      messages,
      bytes,
      seconds,
      expected,
      clients,
    });
    record(result, outcome, expected);
    result.extra.connectMs = ms;
    result.extra.senders = senders;
    result.extra.messagesPerSender = messages;
    if (outcome.latency !== null && outcome.latency.count > 0) {
      const h = outcome.latency;
      result.latencyMs = {
        p50: h.percentile(0.5) / 1000,
        p99: h.percentile(0.99) / 1000,
        max: h.max / 1000,
        mean: h.mean / 1000,
      };
    }
    result.shape = `${senders} × ${messages} lines of ${bytes} B to ${clients} clients${stamped ? ` over ${seconds} s` : ""}`;
    return result;
  });
}
