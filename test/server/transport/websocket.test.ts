/** The WebSocket adapter's write path against a scripted socket: what it takes on each send status. */

import { describe, expect, test } from "bun:test";
import type { ServerWebSocket } from "bun";
import { WEB, type WebData, WebSocketConnection } from "../../../src/server/transport/websocket.ts";

/** A stand-in for Bun's socket: records frames, answers each send with the next scripted status. */
function scripted(statuses: number[]) {
  const frames: string[] = [];
  const ws = {
    readyState: 1,
    data: { address: "127.0.0.1", port: 1, client: null, connection: null },
    sendText(text: string) {
      const status = statuses.shift() ?? new TextEncoder().encode(text).length;
      if (status !== 0) frames.push(text);
      return status;
    },
  };
  return { ws: ws as unknown as ServerWebSocket<WebData>, frames };
}

const bytesOf = (text: string) => new TextEncoder().encode(text);

describe("WebSocketConnection.write", () => {
  test("sent in full: everything taken, one frame", () => {
    const { ws, frames } = scripted([]);
    const data = bytesOf("a\nb\n");
    expect(new WebSocketConnection(ws).write(data, 0, data.length)).toBe(4);
    expect(frames).toEqual(["a\nb\n"]);
  });

  test("-1 (buffered by Bun): that frame is taken, nothing more until drain", () => {
    const line = `${"x".repeat(WEB.frameBytes - 1)}\n`;
    const data = bytesOf(line + line + line);
    const { ws, frames } = scripted([-1]);
    const conn = new WebSocketConnection(ws);
    expect(conn.write(data, 0, data.length)).toBe(line.length);
    expect(conn.write(data, line.length, data.length - line.length)).toBe(0);
    conn.drained();
    expect(conn.write(data, line.length, data.length - line.length)).toBe(2 * line.length);
    expect(frames).toEqual([line, line, line]);
  });

  test("0 (dropped by Bun): nothing of that frame is taken, so the Outbox keeps it", () => {
    const data = bytesOf("lost?\n");
    const { ws, frames } = scripted([0]);
    const conn = new WebSocketConnection(ws);
    expect(conn.write(data, 0, data.length)).toBe(0);
    conn.drained();
    expect(conn.write(data, 0, data.length)).toBe(data.length);
    expect(frames).toEqual(["lost?\n"]);
  });

  test("a big turn goes out in frames of whole lines", () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `<ana> line ${i}\n`).join("");
    const data = bytesOf(lines);
    const { ws, frames } = scripted([]);
    expect(new WebSocketConnection(ws).write(data, 0, data.length)).toBe(data.length);
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(frame.endsWith("\n")).toBe(true);
    expect(frames.join("")).toBe(lines);
  });

  test("a closed socket takes nothing (-1), as a closed TCP socket", () => {
    const { ws } = scripted([]);
    (ws as unknown as { readyState: number }).readyState = 3;
    expect(new WebSocketConnection(ws).write(bytesOf("x\n"), 0, 2)).toBe(-1);
  });
});
