/**
 * A stand-in for the server at the door, driven by the test line by line: it
 * greets only when told, and answers a password or a name only when told, so
 * a test can act while the client waits (before the greeting, while a verdict
 * is pending) without racing a real server. Every connection keeps the lines
 * it received and whether it was closed.
 */

import type { Socket, TCPSocketListener } from "bun";
import { LineDecoder } from "../../src/protocol/lines.ts";
import { eventually } from "../support/server.ts";

export class DoorConnection {
  readonly lines: string[] = [];
  closed = false;
  private readonly decoder = new LineDecoder(4096);

  constructor(private readonly socket: Socket<DoorConnection | undefined>) {}

  send(...lines: string[]): void {
    this.socket.write(lines.map((line) => `${line}\r\n`).join(""));
  }

  received(chunk: Uint8Array): void {
    for (const line of this.decoder.push(chunk))
      if (typeof line === "string") this.lines.push(line);
  }

  /** Wait for the `count`th line received (1-based) and return it. */
  async line(count: number, ms?: number): Promise<string> {
    await eventually(() => this.lines.length >= count, ms);
    return this.lines[count - 1] as string;
  }
}

export class Door {
  readonly connections: DoorConnection[] = [];
  private readonly listener: TCPSocketListener<DoorConnection | undefined>;

  constructor() {
    this.listener = Bun.listen<DoorConnection | undefined>({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: (socket) => {
          const connection = new DoorConnection(socket);
          socket.data = connection;
          this.connections.push(connection);
        },
        data: (socket, chunk) => socket.data?.received(chunk),
        close: (socket) => {
          if (socket.data) socket.data.closed = true;
        },
      },
    });
  }

  get port(): number {
    return this.listener.port;
  }

  /** The `count`th connection (1-based), once it is accepted. */
  async connection(count = 1, ms?: number): Promise<DoorConnection> {
    await eventually(() => this.connections.length >= count, ms);
    return this.connections[count - 1] as DoorConnection;
  }

  stop(): void {
    this.listener.stop(true);
  }
}
