/** The connection's pure parts: where the page's WebSocket goes, and a frame's lines. */

import { describe, expect, test } from "bun:test";
import { framedLines, socketUrl } from "../../src/web/connection.ts";
import { WEBSOCKET_PATH } from "../../src/web/paths.ts";

describe("socketUrl", () => {
  test("the page's own host: wss for https, ws otherwise", () => {
    expect(socketUrl("https:", "papo.example:8443")).toBe(
      `wss://papo.example:8443${WEBSOCKET_PATH}`,
    );
    expect(socketUrl("http:", "127.0.0.1:8080")).toBe(`ws://127.0.0.1:8080${WEBSOCKET_PATH}`);
  });
});

describe("framedLines", () => {
  test("whole lines, without their line ends", () => {
    expect(framedLines("<ana> hi\n* bia joined\n")).toEqual(["<ana> hi", "* bia joined"]);
    expect(framedLines("<ana> hi\r\n<bia> oi\r\n")).toEqual(["<ana> hi", "<bia> oi"]);
  });

  test("an empty line is kept; only the last line end closes the frame", () => {
    expect(framedLines("one\n\ntwo\n")).toEqual(["one", "", "two"]);
    expect(framedLines("no end")).toEqual(["no end"]);
    expect(framedLines("\n")).toEqual([""]);
  });
});
