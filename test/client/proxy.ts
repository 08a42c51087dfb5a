/**
 * A TCP proxy on 127.0.0.1 for tests of a client cut from its server: it
 * forwards bytes both ways until `cut()` drops every connection and refuses
 * new ones (nothing listens on its port), as a network that goes away does;
 * `restore()` listens on the same port again. The client never learns it
 * is not talking to the server itself. NOTE: writes ignore backpressure;
 * the tests send a few short lines.
 */

import type { Socket, TCPSocketListener } from "bun";

interface Pair {
  /** The client's side (accepted here). */
  client: Socket<Pair>;
  /** The server's side (connected from here), once open. */
  server: Socket<Pair> | null;
  /** What the client sent before the server's side was open. */
  early: Uint8Array[];
}

export class CutProxy {
  private listener: TCPSocketListener<Pair> | null = null;
  private readonly pairs = new Set<Pair>();
  private portNumber = 0;

  constructor(private readonly target: number) {
    this.listen(0);
  }

  get port(): number {
    return this.portNumber;
  }

  /** Drop every connection at once (both sides) and refuse new ones. */
  cut(): void {
    // Forgotten first: a close that follows must not end the other side
    // gently (the server reads a half-close as leaving on purpose).
    const pairs = [...this.pairs];
    this.pairs.clear();
    for (const pair of pairs) {
      pair.client.terminate();
      pair.server?.terminate();
    }
    this.listener?.stop();
    this.listener = null;
  }

  /** Take connections again, on the same port. */
  restore(): void {
    this.listen(this.portNumber);
  }

  stop(): void {
    this.cut();
  }

  private listen(port: number): void {
    this.listener = Bun.listen<Pair>({
      hostname: "127.0.0.1",
      port,
      socket: {
        open: (client) => this.accepted(client),
        data: (client, chunk) => {
          const pair = client.data;
          if (pair.server === null) pair.early.push(new Uint8Array(chunk));
          else pair.server.write(chunk);
        },
        close: (client) => this.closed(client.data),
        error: () => {},
      },
    });
    this.portNumber = this.listener.port;
  }

  private accepted(client: Socket<Pair>): void {
    const pair: Pair = { client, server: null, early: [] };
    client.data = pair;
    this.pairs.add(pair);
    void Bun.connect<Pair>({
      hostname: "127.0.0.1",
      port: this.target,
      data: pair,
      socket: {
        open: (server) => {
          pair.server = server;
          for (const chunk of pair.early.splice(0)) server.write(chunk);
        },
        data: (_server, chunk) => {
          pair.client.write(chunk);
        },
        close: () => this.closed(pair),
        error: () => {},
      },
    }).catch(() => client.terminate());
  }

  private closed(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.end();
    pair.server?.end();
  }
}
