/**
 * A simulated client on the web client's WebSocket (Bun's WebSocket client):
 * the same SimClient, counting lines from the server's frames, writing one
 * frame per line. Bun's client buffers what the socket has not taken, so a
 * write is always whole; it cannot stop reading, so no slow-reader scenario
 * uses it.
 */

import { closed, type Link, received, type SimClient, start } from "./client.ts";

class WebSocketLink implements Link {
  constructor(private readonly ws: WebSocket) {}

  write(data: Uint8Array, offset: number, length: number): number {
    this.ws.send(data.subarray(offset, offset + length) as Uint8Array<ArrayBuffer>);
    return length;
  }

  pause(): void {}

  resume(): void {}

  end(): void {
    this.ws.close();
  }

  terminate(): void {
    this.ws.close();
  }
}

/** Open `c` on `url` ("ws://host:port/ws"); its join settles as a TCP client's does. */
export function openWebSocket(c: SimClient, url: string): void {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => start(c, new WebSocketLink(ws));
  ws.onmessage = (event) => {
    const data = event.data;
    received(c, typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data));
  };
  ws.onerror = () => {
    c.onJoin?.(false, "WebSocket error");
    c.onJoin = null;
  };
  ws.onclose = () => closed(c);
}
