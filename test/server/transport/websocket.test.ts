/** The WebSocket adapter's write path against a scripted socket: what it takes on each send status. */

import { describe, expect, spyOn, test } from "bun:test";
import type { ServerWebSocket } from "bun";
import {
  FrameTexts,
  WEB,
  type WebData,
  WebSocketConnection,
} from "../../../src/server/transport/websocket.ts";

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

  test("0 (dropped by Bun): nothing of that frame is taken, so the member keeps its place", () => {
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

describe("FrameTexts: a turn's bytes decoded once per pass", () => {
  const turn = bytesOf("<ana> oi\n<bia> olá\n");
  const ascii = bytesOf("<ana> oi\n<bia> tudo\n<cai> bem\n");

  test("every write of the same bytes in a pass costs one decode; the next pass decodes anew", async () => {
    const decode = spyOn(TextDecoder.prototype, "decode");
    try {
      const texts = new FrameTexts();
      for (let member = 0; member < 3; member++) {
        expect(texts.of(ascii, 0, ascii.length, ascii.length)).toBe(
          "<ana> oi\n<bia> tudo\n<cai> bem\n",
        );
      }
      // A sender's share: a range of the same bytes, a substring of the same text.
      expect(texts.of(ascii, 9, 11, ascii.length - 9)).toBe("<bia> tudo\n");
      expect(decode).toHaveBeenCalledTimes(1);
      await Promise.resolve();
      texts.of(ascii, 0, ascii.length, ascii.length);
      expect(decode).toHaveBeenCalledTimes(2);
    } finally {
      decode.mockRestore();
    }
  });

  test("a range of text that is not ASCII is decoded on its own, at its byte offsets", () => {
    const texts = new FrameTexts();
    expect(texts.of(turn, 0, turn.length, turn.length)).toBe("<ana> oi\n<bia> olá\n");
    expect(texts.of(turn, 9, turn.length - 9, turn.length - 9)).toBe("<bia> olá\n");
    expect(texts.of(turn, 0, 9, 9)).toBe("<ana> oi\n");
  });

  test("a buffer reused with other bytes in the same pass is sent as its new bytes", () => {
    // The fan-out gathers each sender's share into one scratch buffer, sender after sender.
    const scratch = new Uint8Array(12);
    const a = scripted([]);
    const b = scripted([]);
    scratch.set(bytesOf("<ana> 1\n"));
    new WebSocketConnection(a.ws).write(scratch, 0, 8);
    scratch.set(bytesOf("<bia> 2\n"));
    new WebSocketConnection(b.ws).write(scratch, 0, 8);
    expect(a.frames).toEqual(["<ana> 1\n"]);
    expect(b.frames).toEqual(["<bia> 2\n"]);
  });

  for (const [what, tail] of [
    ["ASCII", ""],
    ["not ASCII", " é"],
  ]) {
    test(`a turn cut into several frames (${what}) reaches every member whole, decoded once a frame`, () => {
      const lines = Array.from({ length: 5000 }, (_, i) => `<ana> linha ${i}${tail}\n`).join("");
      const data = bytesOf(lines);
      const members = [scripted([]), scripted([]), scripted([])];
      const decode = spyOn(TextDecoder.prototype, "decode");
      try {
        for (const m of members) new WebSocketConnection(m.ws).write(data, 0, data.length);
        const [first, ...rest] = members.map((m) => m.frames);
        const frames = first?.length ?? 0;
        expect(frames).toBeGreaterThan(1);
        expect(first?.join("")).toBe(lines);
        for (const other of rest) expect(other).toEqual(first ?? []);
        // The whole turn once, and frames of text that is not ASCII once each.
        expect(decode).toHaveBeenCalledTimes(tail === "" ? 1 : 1 + frames);
      } finally {
        decode.mockRestore();
      }
    });
  }
});
