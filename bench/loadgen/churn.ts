/**
 * Churn: clients that join, stay a moment and leave, at a steady rate, half
 * of them politely (FIN) and half abruptly (RST), to show that the server's
 * memory and descriptors do not grow with connections that come and go.
 */

import { CHURN_CYCLE_TIMEOUT_MS } from "../config.ts";
import { type SimClient, Tally } from "./client.ts";
import { openClients } from "./connect.ts";
import type { ChurnReply, Request } from "./protocol.ts";

export async function churn(req: Extract<Request, { op: "churn" }>): Promise<ChurnReply> {
  // Their own tally: what churners receive must not mix with the steady clients' counts.
  const tally = new Tally();
  const total = Math.round(req.seconds * req.rate);
  const spacingMs = 1000 / req.rate;
  const result: ChurnReply = { cycles: 0, failed: 0 };

  const cycle = async (i: number): Promise<void> => {
    const group: SimClient[] = [];
    const opened = await openClients(req.to, 1, () => `${req.prefix}${i}`, group, tally, {
      stamped: false,
      timeoutMs: CHURN_CYCLE_TIMEOUT_MS,
    });
    const client = group[0];
    if (opened.joined !== 1 || client === undefined) {
      result.failed++;
      result.error ??= opened.error;
      client?.socket?.terminate();
      return;
    }
    await Bun.sleep(req.lifeMs);
    if (i % 2 === 0) client.socket?.end();
    else client.socket?.terminate();
    const deadline = performance.now() + CHURN_CYCLE_TIMEOUT_MS;
    while (!client.closed && performance.now() < deadline) await Bun.sleep(20);
    if (client.closed) result.cycles++;
    else {
      result.failed++;
      result.error ??= "the server did not close a connection its client had ended";
      client.socket?.terminate();
    }
  };

  const started = performance.now();
  const running: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const wait = started + i * spacingMs - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    running.push(cycle(i));
  }
  await Promise.all(running);
  return result;
}
