/** Bad input over real sockets: it gets a clear error and never hurts anyone else. */

import { describe, expect, test } from "bun:test";
import { rssBytes } from "../../bench/proc.ts";
import { spawnServer, withServer } from "../support/cli.ts";
import { connect } from "../support/lineclient.ts";
import { arrive, eventually, join, serve } from "../support/server.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("framing", () => {
  test("a line dribbled one byte per write arrives whole", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    for (const byte of utf8("olá 日本\r\n")) {
      b.write(new Uint8Array([byte]));
      // Bytes spread over time, so the server reads them apart: the input under test.
      await Bun.sleep(1);
    }
    expect(await a.until((l) => l.startsWith("<"))).toBe("<b> olá 日本");
  });

  test("many lines in one write arrive as many lines, in order", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    b.write(Array.from({ length: 100 }, (_, i) => `m${i}\n`).join(""));
    await a.until((l) => l === "* b joined");
    for (let i = 0; i < 100; i++) expect(await a.next()).toBe(`<b> m${i}`);
  });

  test("a telnet client's negotiation is dropped and its Latin-1 text arrives as text", async () => {
    const server = serve();
    const a = await join(server, "a");
    const c = await arrive(server);
    // What telnet sends first: WILL NAWS, WILL TERMINAL-TYPE, then the window size
    // (80x10, where the 10 is a newline byte).
    c.write(new Uint8Array([0xff, 0xfb, 0x1f, 0xff, 0xfb, 0x18]));
    c.write(new Uint8Array([0xff, 0xfa, 0x1f, 0x00, 0x50, 0x00, 0x0a, 0xff, 0xf0]));
    c.write(new Uint8Array([0x4a, 0x6f, 0x73, 0xe9, 0x0d, 0x0a])); // "José\r\n" in Latin-1
    expect(await c.next()).toBe("* hello José! 2 online: a, José (type /help for commands)");
    c.write(new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a])); // "café"
    expect(await a.until((l) => l.startsWith("<"))).toBe("<José> café");
  });

  test("a Latin-1 line cannot smuggle an 8-bit escape sequence", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    // 0x9B is CSI in 8-bit form: "h", CSI 31m (red), "i".
    b.write(new Uint8Array([0x68, 0x9b, 0x33, 0x31, 0x6d, 0x69, 0x0a]));
    expect(await a.until((l) => l.startsWith("<"))).toBe("<b> hi");
  });
});

describe("long lines", () => {
  test("an over-long line is dropped whole with one error; the next line goes through", async () => {
    const server = serve({ maxLineBytes: 100 });
    const a = await join(server, "a");
    const b = await join(server, "b");
    await a.until((l) => l === "* b joined");
    b.write("x".repeat(80));
    b.write("y".repeat(80));
    b.write("z".repeat(500));
    b.write("end of the long one\nshort\n");
    expect(await b.next()).toBe("! line too long");
    expect(await a.next()).toBe("<b> short");
    expect(await b.quiet()).toEqual([]);
    expect(await a.quiet()).toEqual([]);
  });

  test("128 MiB without a newline: one error, memory stays bounded, the connection keeps working", async () => {
    // The server runs in its own process so that its memory is measured alone.
    const child = await spawnServer(["--port", "0", "--quiet", "--rate-limit", "0"]);
    try {
      const a = await join(child, "a");
      const b = await join(child, "b");
      await a.until((l) => l === "* b joined");
      const before = rssBytes(child.proc.pid);
      const chunk = new Uint8Array(1024 * 1024).fill(0x41);
      for (let i = 0; i < 128; i++) b.write(chunk);
      b.send("");
      b.send("after the flood");
      expect(await b.next(20_000)).toBe("! line too long");
      expect(await a.next(20_000)).toBe("<b> after the flood");
      // A server that kept the line would grow by 128 MiB; the garbage of 128 MiB of
      // reads (not yet collected) measured 26 to 37 MiB here.
      const grown = rssBytes(child.proc.pid) - before;
      expect(grown).toBeLessThan(64 * 1024 * 1024);
      expect(await b.quiet(100)).toEqual([]);
    } finally {
      child.proc.kill("SIGKILL");
    }
  });
});

describe("terminal escapes", () => {
  test("escape sequences and control characters never reach other users", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    b.send("\x1b[2J\x1b]0;pwned\x07hi\x07 there\x1b[31m!\x7f\x9b1m");
    expect(await a.until((l) => l.startsWith("<"))).toBe("<b> hi there!");
    b.send("/me \x1b[5mblinks\x1b[0m");
    expect(await a.next()).toBe("* <b> blinks");
  });

  test("names are cleaned too, so escapes cannot dress one user up as another", async () => {
    const server = serve();
    const a = await join(server, "a");
    const c = await arrive(server);
    c.send("\x1b[1mmallory\x1b[0m");
    expect(await c.next()).toStartWith("* hello mallory!");
    expect(await a.next()).toBe("* mallory joined");
  });

  test("printable Unicode passes untouched, tabs included", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    b.send("ação\t中文 👩🏽‍💻");
    expect(await a.until((l) => l.startsWith("<"))).toBe("<b> ação\t中文 👩🏽‍💻");
  });
});

describe("flood control", () => {
  test("past the burst, lines are delayed, never dropped, with one notice per burst", async () => {
    const server = serve({ rateLimit: 20, rateBurst: 5 });
    const a = await join(server, "a");
    const b = await join(server, "b");
    await a.until((l) => l === "* b joined");
    const started = performance.now();
    b.write(Array.from({ length: 30 }, (_, i) => `f${i}\n`).join(""));
    // The name line took one token: 4 go at once, 26 wait their turn at 20 a second.
    for (let i = 0; i < 30; i++) expect(await a.next(5000)).toBe(`<b> f${i}`);
    expect(performance.now() - started).toBeGreaterThan(1000);
    expect(await b.quiet(100)).toEqual([
      "! slow down: over 20 lines a second, your lines are delayed (none are lost)",
    ]);
    // A new burst after the bucket refilled is told again: the refill over time is tested.
    await Bun.sleep(400);
    b.write(Array.from({ length: 8 }, (_, i) => `g${i}\n`).join(""));
    for (let i = 0; i < 8; i++) expect(await a.next(5000)).toBe(`<b> g${i}`);
    expect(await b.quiet(100)).toHaveLength(1);
  });

  test("a delayed sender's /quit still comes last, after every line it sent", async () => {
    const server = serve({ rateLimit: 50, rateBurst: 5 });
    const a = await join(server, "a");
    const b = await join(server, "b");
    await a.until((l) => l === "* b joined");
    b.write(`${Array.from({ length: 40 }, (_, i) => `q${i}\n`).join("")}/quit done\n`);
    for (let i = 0; i < 40; i++) expect(await a.next(5000)).toBe(`<b> q${i}`);
    expect(await a.next(5000)).toBe("* b left (done)");
    // The close is the marker: everything b was told came before it.
    await b.closed;
    expect(b.buffered.at(-1)).toBe("* bye");
  });

  test("while lines wait, the server reads no more of that socket: TCP holds the rest", async () => {
    // 1 line a second: of a 40 MB flood almost everything must stay in the kernel.
    const server = serve({ rateLimit: 1, rateBurst: 1 });
    const a = await join(server, "a");
    const b = await join(server, "b");
    await a.until((l) => l === "* b joined");
    const line = `${"z".repeat(200)}\n`;
    b.write(line.repeat(200_000));
    // Not reading for a while is what is tested: 300 ms would take all 40 MB on loopback.
    await Bun.sleep(300);
    // The kernel buffers fill and the rest waits in the sender's own queue.
    expect(b.unsent).toBeGreaterThan(0);
  });

  test("rate limit 0 turns it off", async () => {
    const server = serve({ rateLimit: 0 });
    const a = await join(server, "a");
    const b = await join(server, "b");
    b.write(Array.from({ length: 500 }, (_, i) => `f${i}\n`).join(""));
    await a.until((l) => l === "<b> f499");
    // The answer to /who is the first thing b hears: no slow-down notice came before it.
    b.send("/who");
    expect(await b.next()).toBe("* online (2): a, b");
  });
});

describe("one delivery path", () => {
  test("a connection that asks and never reads its answers is held, not dropped: memory bounded, nothing lost", async () => {
    const args = ["--port", "0", "--rate-limit", "0", "--max-queue-bytes", "65536"];
    await withServer([...args, "--name-timeout", "0", "--quiet"], async (server) => {
      const c = await arrive(server);
      const a = await join(server, "a");
      c.pause();
      // Each invalid name is answered with an error line that c does not read.
      // Answers far larger than the kernel's buffers (each /help is some 20 lines), then 20 MB more.
      const helps = 10_000;
      c.write("/help\n".repeat(helps));
      const count = 20_000;
      c.write(`a b${"x".repeat(1020)}\n`.repeat(count));
      let peak = 0;
      const watch = setInterval(() => {
        peak = Math.max(peak, rssBytes(server.proc.pid));
      }, 10);
      // Past its own queue's cap the server stops reading it: TCP holds the rest of its input.
      await Bun.sleep(1500);
      clearInterval(watch);
      expect(c.unsent).toBeGreaterThan(0);
      expect(peak).toBeLessThan(150 * 1024 * 1024);
      // Nobody else noticed.
      a.send("/who");
      expect(await a.next()).toBe("* online (1): a");
      // Reading again, it gets every answer, in order, and goes on.
      c.resume();
      let answers = 0;
      while (answers < count) {
        const line = await c.next(10_000);
        if (line.startsWith("! invalid name")) answers++;
      }
      c.send("cee");
      expect(await c.next(10_000)).toStartWith("* hello cee!");
    });
  }, 60_000);
});

describe("limits on connections", () => {
  test("past max-clients, newcomers get '! server full' and are closed", async () => {
    const server = serve({ maxClients: 2 });
    await join(server, "a");
    await arrive(server); // an unnamed connection counts too
    const extra = await connect(server.port);
    expect(await extra.next()).toBe("! server full");
    await extra.closed;
    expect(server.connectionCount()).toBe(2);
  });

  test("no valid name within the time limit: told why, then disconnected", async () => {
    const server = serve({ nameTimeoutMs: 200 });
    const c = await arrive(server);
    c.send("bad name");
    expect(await c.next()).toStartWith("! invalid name");
    expect(await c.next(2000)).toBe("! no name given within 0.2 s, closing");
    await c.closed;
    await eventually(() => server.connectionCount() === 0);
  });

  test("a named client is not timed out", async () => {
    const server = serve({ nameTimeoutMs: 100 });
    const a = await join(server, "a");
    // Past the name timeout: the time is what is tested.
    await Bun.sleep(250);
    expect(a.isClosed()).toBe(false);
  });
});
