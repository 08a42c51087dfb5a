/**
 * The web client's transport over real sockets: WebSocket members in the
 * same room as TCP ones, the same rules, frames of whole lines, the Origin
 * check and the page's security headers. (Slow WebSocket readers are in
 * backpressure.test.ts, with every other transport.)
 */

import { describe, expect, test } from "bun:test";
import { CONTENT_SECURITY_POLICY } from "../../src/server/transport/http.ts";
import { frameLength } from "../../src/server/transport/websocket.ts";
import { connect } from "../support/lineclient.ts";
import { arrive, eventually, join, serve } from "../support/server.ts";

const web = (overrides = {}) => serve({ web: true, webPort: 0, ...overrides });

/** The raw upgrade request a browser on `origin` would send; returns the HTTP status. */
async function upgradeStatus(
  port: number,
  origin: string | null,
  host = `127.0.0.1:${port}`,
): Promise<number> {
  const headers: Record<string, string> = {
    Connection: "Upgrade",
    Upgrade: "websocket",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
  };
  if (origin !== null) headers.Origin = origin;
  const socket = await connect(port);
  const request = [`GET /ws HTTP/1.1`, `Host: ${host}`];
  for (const [k, v] of Object.entries(headers)) request.push(`${k}: ${v}`);
  socket.write(`${request.join("\r\n")}\r\n\r\n`);
  const status = await socket.next();
  socket.reset();
  return Number(status.split(" ")[1]);
}

describe("WebSocket members", () => {
  test("share the room with TCP members: lines, notices and names both ways", async () => {
    const server = web();
    const tcp = await join(server, "ana");
    const browser = await join(server, "bia", "websocket");
    expect(await tcp.next()).toBe("* bia joined");
    tcp.send("hello from the terminal");
    expect(await browser.next()).toBe("<ana> hello from the terminal");
    browser.send("hello from the browser");
    expect(await tcp.next()).toBe("<bia> hello from the browser");
    browser.send("/msg ana psst");
    expect(await tcp.next()).toBe("[private] <bia> psst");
    expect(await browser.next()).toBe("[private to ana] psst");
    // One name space for both transports.
    const other = await arrive(server, "websocket");
    other.send("ANA");
    expect(await other.next()).toBe("! name taken: ANA");
  });

  test("the server's frames are text frames of whole lines", async () => {
    const server = web();
    const ws = new WebSocket(`ws://127.0.0.1:${server.web?.port}/ws`);
    const frames: unknown[] = [];
    ws.onmessage = (event) => frames.push(event.data);
    await eventually(() => frames.length > 0);
    expect(typeof frames[0]).toBe("string");
    expect(frames[0]).toBe("* welcome to papo! this room speaks English. what is your name?\n");
    ws.close();
  });

  test("a frame is whole lines: one without a newline is a line, one may carry several", async () => {
    const server = web();
    const tcp = await join(server, "ana");
    const browser = await join(server, "bia", "websocket");
    await tcp.next();
    browser.write("no newline");
    expect(await tcp.next()).toBe("<bia> no newline");
    browser.write("one\ntwo\r\nthree");
    expect(await tcp.next()).toBe("<bia> one");
    expect(await tcp.next()).toBe("<bia> two");
    expect(await tcp.next()).toBe("<bia> three");
    // Binary frames are read as UTF-8 lines too.
    browser.write(new TextEncoder().encode("olá\n"));
    expect(await tcp.next()).toBe("<bia> olá");
  });

  test("the same limits: sanitising, line length, the per-address cap at the door", async () => {
    const server = web({ maxLineBytes: 20, maxPerAddress: 2 });
    const tcp = await join(server, "ana");
    const browser = await join(server, "bia", "websocket");
    await tcp.next();
    browser.send("\x1b[31mred\x07");
    expect(await tcp.next()).toBe("<bia> red");
    browser.send("x".repeat(21));
    expect(await browser.next()).toBe("! line too long");
    // Members do not count: two may still wait at the door, the third may not.
    const door = [await arrive(server, "websocket"), await arrive(server)];
    expect(door.length).toBe(2);
    const third = await connect(server.web?.port ?? 0, "127.0.0.1", false, true);
    expect(await third.next()).toBe("! too many connections from your address");
    await third.closed;
  });

  test(
    "input piling up while held (flood control) past its bound: out of the room, told, then closed",
    async () => {
      const server = web({ maxLineBytes: 64, rateLimit: 1, rateBurst: 1 });
      const ana = await join(server, "ana");
      const browser = await join(server, "bia", "websocket");
      await ana.until((l) => l === "* bia joined");
      // Pausing stops new reads, but what one read brought is still delivered:
      // ~120 KB of small frames in one write, far past 64 * 16 * 16 bytes.
      const frames: string[] = [];
      for (let i = 0; i < 2000; i++) frames.push(`line ${i} ${"y".repeat(50)}`);
      // In one write: the kernel hands the server large reads, not one frame at a time.
      browser.writeAll(frames);
      expect(await browser.until((l) => l.startsWith("! too much"), 5000)).toBe(
        "! too much input at once, closing",
      );
      // Out of the room by the time it reads its goodbye, not once its socket closes.
      expect(server.memberCount()).toBe(1);
      expect(await ana.until((l) => l.startsWith("* bia"), 10_000)).toBe("* bia left");
      await browser.closed;
      await eventually(() => server.connectionCount() === 1);
      // NOTE: retried because the pile-up needs the frames to reach the server in large
      // reads before flood control pauses it (a paused WebSocket delivers about one more
      // read); when the kernel hands them over in small reads, nothing piles up at all.
    },
    { timeout: 20_000, retry: 2 },
  );

  test("a frame over 16 lines' worth closes the connection (1009); /quit and shutdown say goodbye", async () => {
    const server = web({ maxLineBytes: 64 });
    const tcp = await join(server, "ana");
    const big = await join(server, "big", "websocket");
    await tcp.next();
    big.write("x".repeat(64 * 16 + 1));
    await big.closed;
    expect(await tcp.next()).toBe("* big left");
    const leaving = await join(server, "bye", "websocket");
    await tcp.next();
    leaving.send("/quit");
    expect(await leaving.next()).toBe("* bye");
    await leaving.closed;
    const staying = await join(server, "stay", "websocket");
    await tcp.until((l) => l === "* stay joined");
    await server.stop();
    expect(await staying.until((l) => l === "* server shutting down")).toBe(
      "* server shutting down",
    );
    await staying.closed;
  });

  test("a cross-origin upgrade is refused with 403; the page's own origin and programs are not", async () => {
    const server = web();
    const port = server.web?.port ?? 0;
    expect(await upgradeStatus(port, "http://evil.example")).toBe(403);
    expect(await upgradeStatus(port, `http://127.0.0.1:${port + 1}`)).toBe(403);
    expect(await upgradeStatus(port, `https://127.0.0.1:${port}`)).toBe(403);
    expect(await upgradeStatus(port, `http://127.0.0.1:${port}`)).toBe(101);
    expect(await upgradeStatus(port, null)).toBe(101);
  });

  test("a host name the server is not known by gets no page and no WebSocket (DNS rebinding)", async () => {
    const server = web({ webHosts: "chat.school.example" });
    const port = server.web?.port ?? 0;
    // A page of evil.example whose name now points here: its own origin, its own Host.
    const evil = `evil.example:${port}`;
    expect(await upgradeStatus(port, `http://${evil}`, evil)).toBe(421);
    const page = await fetch(`http://127.0.0.1:${port}/`, { headers: { host: evil } });
    expect(page.status).toBe(421);
    expect(await page.text()).toBe("this server is not known as evil.example (see --web-hosts)\n");
    // Names the operator gave, and loopback by any name, are fine.
    const school = `chat.school.example:${port}`;
    expect(await upgradeStatus(port, `http://${school}`, school)).toBe(101);
    const local = `localhost:${port}`;
    expect(await upgradeStatus(port, `http://${local}`, local)).toBe(101);
  });

  test("the page comes with a strict CSP, nosniff, no cookie; unknown paths are 404", async () => {
    const server = web();
    const base = server.web?.url ?? "";
    expect(base).toBe(`http://127.0.0.1:${server.web?.port}/`);
    for (const path of ["", "app.js", "style.css"]) {
      const response = await fetch(base + path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("set-cookie")).toBeNull();
      await response.text();
    }
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-inline");
    const page = await (await fetch(base)).text();
    expect(page).not.toMatch(/<script>|<style>| style=| on[a-z]+=/);
    expect((await fetch(`${base}nope`)).status).toBe(404);
    expect((await fetch(base, { method: "POST" })).status).toBe(405);
  });

  test("the server's frames end at a line's end past the frame size", () => {
    const bytes = new TextEncoder().encode("aaaa\nbbbb\ncccc\n");
    expect(frameLength(bytes, 0, bytes.length, 100)).toBe(15);
    expect(frameLength(bytes, 0, bytes.length, 3)).toBe(5);
    expect(frameLength(bytes, 0, bytes.length, 5)).toBe(5);
    expect(frameLength(bytes, 0, bytes.length, 6)).toBe(10);
    expect(frameLength(bytes, 5, 10, 2)).toBe(5);
  });
});
