/**
 * Opening simulated clients with a bound on how many are mid-handshake at
 * once, so that a burst of thousands does not overflow the server's accept
 * backlog.
 */

import { CONNECT_CONCURRENCY } from "../config.ts";
import { handlers, SimClient, type Tally } from "./client.ts";
import type { Address, ConnectReply } from "./protocol.ts";
import { openWebSocket } from "./websocket.ts";

/** Open `count` clients and wait until each is welcomed, refused, or the time is up. */
export async function openClients(
  to: Address,
  count: number,
  name: (i: number) => string,
  into: SimClient[],
  group: Tally,
  options: { stamped: boolean; timeoutMs: number },
): Promise<ConnectReply> {
  const from = into.length;
  let next = 0;
  let joined = 0;
  let failed = 0;
  let error: string | undefined;
  await new Promise<void>((done) => {
    let inflight = 0;
    let over = false;
    const timer = setTimeout(() => {
      over = true;
      done();
    }, options.timeoutMs);
    const settle = (ok: boolean, why?: string) => {
      inflight--;
      if (ok) joined++;
      else {
        failed++;
        error ??= why;
      }
      if (joined + failed === count) {
        clearTimeout(timer);
        done();
      } else launch();
    };
    const launch = () => {
      while (!over && inflight < CONNECT_CONCURRENCY && next < count) {
        const client = new SimClient(name(next++), group, options.stamped);
        client.onJoin = settle;
        into.push(client);
        inflight++;
        if (to.transport === "websocket") {
          openWebSocket(client, `ws://${to.host}:${to.port}/ws`);
          continue;
        }
        // The bench's throwaway certificate is self-signed: encryption is what is measured.
        const tls = to.transport === "tls" ? { tls: { rejectUnauthorized: false } } : {};
        Bun.connect<SimClient>({
          hostname: to.host,
          port: to.port,
          data: client,
          socket: handlers,
          ...tls,
        })
          // connectError has usually settled it already; onJoin is null then.
          .catch((e: Error) => client.onJoin?.(false, e.message));
      }
    };
    if (count === 0) done();
    else launch();
  });
  return { from, joined, failed: count - joined, error };
}
