/**
 * The three scenarios run against papo and both baselines: room (a few
 * senders, unpaced), crowd (everyone sends, unpaced) and paced (a steady rate
 * with a send stamp in every line, for latency). One shape, three sizes;
 * web-room is the room, web and tls the crowd, again against papo alone on
 * its other transports. The unpaced floods last a fraction of a second, so
 * each is repeated and reported as the median of its runs.
 */

import { NAIVE_RUNS } from "../config.ts";
import { take } from "../loadgen/pool.ts";
import type { Transport } from "../loadgen/protocol.ts";
import { plural } from "../report/format.ts";
import { isNaive, type TargetName } from "../targets.ts";
import {
  type Context,
  connectAll,
  flood,
  floods,
  record,
  recordWarmUp,
  type Sizes,
  withServer,
} from "./harness.ts";
import { emptyResult, type Result } from "./result.ts";

/** Room: `senders` of `clients` each send `messages` lines as fast as they can. */
export function room(target: TargetName, s: Sizes<"room">, ctx: Context): Promise<Result> {
  return broadcast("room", target, ctx, s);
}

/** The room with every client on the web client's WebSocket (papo only). */
export function webRoom(s: Sizes<"web-room">, ctx: Context): Promise<Result> {
  return broadcast("web-room", "papo", ctx, s, "websocket");
}

/** Crowd: every client sends `messages` lines, all at once. */
export function crowd(target: TargetName, s: Sizes<"crowd">, ctx: Context): Promise<Result> {
  return broadcast("crowd", target, ctx, { ...s, senders: s.clients });
}

/** The crowd with every client on the web client's WebSocket (papo only). */
export function web(s: Sizes<"web">, ctx: Context): Promise<Result> {
  return broadcast("web", "papo", ctx, { ...s, senders: s.clients }, "websocket");
}

/** The crowd with every client on TLS (papo only). */
export function tls(s: Sizes<"tls">, ctx: Context): Promise<Result> {
  return broadcast("tls", "papo", ctx, { ...s, senders: s.clients }, "tls");
}

/** Paced: `rate` lines per second in all, from `senders`, for `seconds`; reports latency. */
export function paced(target: TargetName, s: Sizes<"paced">, ctx: Context): Promise<Result> {
  const messages = Math.max(1, Math.round((s.rate * s.seconds) / s.senders));
  return broadcast("paced", target, ctx, { ...s, messages, runs: 1 });
}

interface Shape {
  clients: number;
  senders: number;
  messages: number;
  bytes: number;
  /** Measured floods (unpaced only: a paced one is long and steady by design). */
  runs: number;
  /** Paced: spread the sending over this many seconds. */
  seconds?: number;
}

function broadcast(
  scenario: "room" | "web-room" | "crowd" | "web" | "tls" | "paced",
  target: TargetName,
  ctx: Context,
  shape: Shape,
  transport: Transport = "tcp",
): Promise<Result> {
  const { clients, messages, bytes, seconds } = shape;
  const runs = isNaive(target) ? Math.min(shape.runs, NAIVE_RUNS) : shape.runs;
  const senders = Math.min(shape.senders, clients);
  const options = { maxClients: clients + 16, transport };
  return withServer(scenario, target, options, ctx, async (setup) => {
    const result = emptyResult(scenario, target, clients);
    const stamped = seconds !== undefined;
    const { group, ms } = await connectAll(setup, clients, "c", stamped);
    const expected = senders * messages * (clients - 1);
    const plan = { senders: take(group, senders), messages, bytes, seconds, expected, clients };
    const { warm, outcomes } = stamped
      ? { warm: null, outcomes: [await flood(setup, plan)] }
      : await floods(setup, plan, runs, ctx.quick);
    record(result, outcomes, expected);
    if (warm !== null) recordWarmUp(result, warm, outcomes);
    result.extra.connectMs = ms;
    result.extra.senders = senders;
    result.extra.messagesPerSender = messages;
    const latency = outcomes[0]?.latency;
    if (stamped && latency && latency.count > 0) {
      result.latencyMs = {
        p50: latency.percentile(0.5) / 1000,
        p99: latency.percentile(0.99) / 1000,
        max: latency.max / 1000,
        mean: latency.mean / 1000,
      };
    }
    const lines = `${senders} × ${messages} lines of ${bytes} B to ${clients} clients`;
    result.shape = stamped ? `${lines} over ${seconds} s` : `${lines}, ${plural(runs, "run")}`;
    return result;
  });
}
