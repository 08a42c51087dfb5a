/**
 * The TCP transport (TLS too, when the listener has a certificate): one
 * handlers object for Bun.listen, each handler a one-line call into the
 * session (and a connection let in gets its keepalive with the next batch,
 * keepalive.ts). A Bun TCP socket already has the shape of a Connection, so a
 * client's socket.data is its Client and nothing wraps the socket.
 */

import type { Socket, TCPSocketListener } from "bun";
import { arrive } from "../admission/door.ts";
import { guarded, noteError } from "../guard.ts";
import { Client, type Transport } from "../session/client.ts";
import type { Context } from "../session/context.ts";
import * as input from "../session/input.ts";
import * as session from "../session/lifecycle.ts";
import { KEEPALIVE_MS, KeepAliveBatch } from "./keepalive.ts";

/** Listen for members on TCP (or TLS, with `tls`); Bun.listen's own errors propagate. */
export function listenTcp(
  ctx: Context,
  tls: { cert: string; key: string } | null,
): TCPSocketListener<Client> {
  const { config } = ctx;
  const transport = tls === null ? "tcp" : "tls";
  const keepAlive = new KeepAliveBatch(KEEPALIVE_MS, {}, (run) =>
    guarded("the keepalive batch", noteError(ctx.log), run),
  );
  return Bun.listen<Client>({
    hostname: config.host,
    port: config.port,
    // Workers share the port (Linux SO_REUSEPORT); otherwise nobody else may bind it.
    ...(config.reusePort ? { reusePort: true } : { exclusive: true }),
    // A peer that closes its sending side (nc at end of input) still gets its replies.
    allowHalfOpen: true,
    ...(tls === null ? {} : { tls }),
    socket: {
      binaryType: "uint8array",
      open: (socket) => {
        if (opened(ctx, socket, transport)) keepAlive.add(socket);
      },
      data: (socket, chunk) => input.receive(ctx, socket.data, chunk),
      drain: (socket) => session.drained(ctx, socket.data),
      end: (socket) => input.peerEnded(ctx, socket.data),
      close: (socket, error) => session.closed(ctx, socket.data, error),
      error: (socket, error) => session.failed(ctx, socket.data, error),
    },
  });
}

/** A new connection at the door; true when it is let in. */
function opened(ctx: Context, socket: Socket<Client>, transport: Transport): boolean {
  const client = new Client(socket, ctx.config, performance.now());
  client.transport = transport;
  socket.data = client;
  return arrive(ctx, client);
}
