/**
 * The client as scripts use it: `bun src/cli/client.ts` spawned with piped
 * stdin, against a real server on port 0 (and small fake servers for the rude
 * cases). Checks exact stdout lines, stderr sentences and exit statuses.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { SERVER_DEFAULTS } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { connect } from "../support/lineclient.ts";
import { join, serve } from "../support/server.ts";

const ROOT = `${import.meta.dir}/../..`;
let server: RunningServer;

beforeAll(async () => {
  server = startServer({ ...SERVER_DEFAULTS, port: 0, quiet: true });
});
afterAll(async () => {
  await server.stop();
});

/** A spawned client whose stdout can be awaited line by line. */
function client(args: string[], input?: string) {
  const env: Record<string, string | undefined> = { ...process.env, LANG: "C.UTF-8" };
  delete env.LC_ALL;
  delete env.LC_MESSAGES;
  const proc = Bun.spawn([process.execPath, "src/cli/client.ts", ...args], {
    cwd: ROOT,
    env,
    stdin: input === undefined ? "pipe" : new Blob([input]),
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  const changed: Array<() => void> = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) {
      out += decoder.decode(chunk, { stream: true });
      for (const wake of changed.splice(0)) wake();
    }
  })();
  return {
    proc,
    lines: () => out.split("\n").slice(0, -1),
    /** Wait until stdout has a line equal to `line`. */
    async waitFor(line: string, ms = 3000) {
      const deadline = Date.now() + ms;
      while (!out.split("\n").includes(line)) {
        if (Date.now() > deadline) throw new Error(`no line ${JSON.stringify(line)} in:\n${out}`);
        await new Promise<void>((resolve) => {
          changed.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    send(text: string) {
      const stdin = proc.stdin as import("bun").FileSink;
      stdin.write(text);
      stdin.flush();
    },
    endInput() {
      (proc.stdin as import("bun").FileSink).end();
    },
    /** Exit status, stdout lines and stderr, once the process is done (bounded). */
    async result(ms = 4000) {
      const timer = setTimeout(() => proc.kill(), ms);
      const code = await proc.exited;
      clearTimeout(timer);
      await reading;
      return {
        code,
        out: out.split("\n").slice(0, -1),
        err: await new Response(proc.stderr).text(),
      };
    },
  };
}

const port = () => ["--port", String(server.port)];
const GREETING = "* welcome to papo! what is your name?";

describe("piped clients against a real server", () => {
  test("two clients talk to each other", async () => {
    const ana = client([...port(), "--name", "ana"]);
    await ana.waitFor("* hello ana! 1 online: ana (type /help for commands)");
    const bob = client([...port(), "--name", "bob"]);
    await bob.waitFor("* hello bob! 2 online: ana, bob (type /help for commands)");
    await ana.waitFor("* bob joined");

    ana.send("oi bob, tudo bem?\n");
    await bob.waitFor("<ana> oi bob, tudo bem?");
    bob.send("tudo! /msg test next\n/msg ana psst\n");
    await ana.waitFor("<bob> tudo! /msg test next");
    await ana.waitFor("[private] <bob> psst");
    await bob.waitFor("[private to ana] psst");

    bob.endInput();
    const bobDone = await bob.result();
    expect(bobDone.code).toBe(0);
    expect(bobDone.err).toBe("");
    expect(bobDone.out).toEqual([
      GREETING,
      "* hello bob! 2 online: ana, bob (type /help for commands)",
      "<ana> oi bob, tudo bem?",
      "[private to ana] psst",
      "* bye",
    ]);
    await ana.waitFor("* bob left");
    ana.endInput();
    const anaDone = await ana.result();
    expect(anaDone.code).toBe(0);
    expect(anaDone.out.at(-1)).toBe("* bye");
  });

  test("without --name the first input line is the name", async () => {
    const peer = await connect(server.port);
    await peer.next();
    peer.send("watcher");
    const done = await client(port(), "\n  bot  \nhello from a script\n").result();
    expect(done.code).toBe(0);
    expect(done.out).toContain("* hello bot! 2 online: watcher, bot (type /help for commands)");
    expect(await peer.until((l) => l.startsWith("<"))).toBe("<bot> hello from a script");
    peer.end();
  });

  test("a last line without a newline is still sent; /quit with a reason is passed on", async () => {
    const peer = await connect(server.port);
    await peer.next();
    peer.send("ear");
    const done = await client([...port(), "-n", "eve"], "one\n/quit off to lunch").result();
    expect(done.code).toBe(0);
    expect(await peer.until((l) => l.startsWith("<"))).toBe("<eve> one");
    expect(await peer.until((l) => l.includes("left"))).toBe("* eve left (off to lunch)");
    peer.end();
  });

  test("lines delayed by flood control all arrive, in order, before the bye (exit 0)", async () => {
    // 60 lines at 20 a second after a burst of 5: about 3 s of delayed lines,
    // longer than the 2 s the client waits for a server that is not delaying it.
    const limited = serve({ rateLimit: 20, rateBurst: 5 });
    const reader = await join(limited, "reader");
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i + 1}`);
    const bot = client(["--port", String(limited.port), "--name", "bot"], `${lines.join("\n")}\n`);
    const received: string[] = [];
    while (received.length < lines.length) {
      received.push(await reader.until((l) => l.startsWith("<bot> "), 5000));
    }
    expect(received).toEqual(lines.map((l) => `<bot> ${l}`));
    const done = await bot.result(10_000);
    expect(done.code).toBe(0);
    expect(done.err).toBe("");
    expect(done.out).toContain(
      "! slow down: over 20 lines a second, your lines are delayed (none are lost)",
    );
    expect(done.out.at(-1)).toBe("* bye");
  }, 15_000);

  test("a taken name exits 1 with the server's reason", async () => {
    const holder = await connect(server.port);
    await holder.next();
    holder.send("taken");
    await holder.next();
    const done = await client([...port(), "--name", "Taken"], "never sent\n").result();
    expect(done.code).toBe(1);
    expect(done.err).toBe("The server refused the name: name taken: Taken.\n");
    expect(done.out).toEqual([GREETING, "! name taken: Taken"]);
    // The refused client must not have tried its input line as another name.
    expect(await holder.quiet(100)).toEqual([]);
    holder.end();
  });

  test("an invalid first-line name exits 1", async () => {
    const done = await client(port(), "two words\nhi\n").result();
    expect(done.code).toBe(1);
    expect(done.err).toContain("invalid name");
  });

  test("empty input: no name, exit 1", async () => {
    const done = await client(port(), "").result();
    expect(done.code).toBe(1);
    expect(done.err).toBe("No name given: use --name, or make the first input line the name.\n");
  });
});

describe("when the server goes away", () => {
  test("shutdown: exit 2 with the server's notice", async () => {
    const own = await startServer({ ...SERVER_DEFAULTS, port: 0, quiet: true });
    const c = client(["--port", String(own.port), "--name", "ana"]);
    await c.waitFor("* hello ana! 1 online: ana (type /help for commands)");
    await own.stop();
    const done = await c.result();
    expect(done.code).toBe(2);
    expect(done.out.at(-1)).toBe("* server shutting down");
    expect(done.err).toBe("Disconnected: server shutting down.\n");
  });

  test("connection cut without a word: exit 2, 'Connection to server lost.'", async () => {
    const cutter = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: (socket: Socket<undefined>) => {
          socket.write("* name?\n");
        },
        data: (socket: Socket<undefined>) => {
          socket.write("* hello ana! 1 online: ana (type /help for commands)\n");
          setTimeout(() => socket.terminate(), 50);
        },
      },
    });
    const done = await client(["--port", String(cutter.port), "-n", "ana"]).result();
    cutter.stop(true);
    expect(done.code).toBe(2);
    expect(done.err).toBe("Connection to server lost.\n");
  });

  test("closed after /quit but before the bye: exit 2, 'Connection to server lost.'", async () => {
    // As if the server were killed just as the input ended.
    let heard = "";
    const dying = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: (socket: Socket<undefined>) => {
          socket.write("* name?\n");
        },
        data: (socket: Socket<undefined>, chunk: Uint8Array) => {
          const before = heard;
          heard += new TextDecoder().decode(chunk);
          if (!before.includes("\n") && heard.includes("\n")) {
            socket.write("* hello ana! 1 online: ana (type /help for commands)\n");
          }
          if (heard.includes("\n/quit\n")) socket.end();
        },
      },
    });
    const done = await client(["--port", String(dying.port), "-n", "ana"], "hi\n").result();
    dying.stop(true);
    expect(done.code).toBe(2);
    expect(done.err).toBe("Connection to server lost.\n");
    expect(done.out.at(-1)).toBe("* hello ana! 1 online: ana (type /help for commands)");
  });

  test("escape sequences from a hostile server never reach stdout", async () => {
    const hostile = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: (socket: Socket<undefined>) => {
          socket.write("* name?\x1b]0;pwned\x07\n");
        },
        data: (socket: Socket<undefined>) => {
          socket.write("* hello ana! 1 online: ana\n<x> \x1b[2J\x1b[31mred\x9b0m\x07\n");
          setTimeout(() => socket.end(), 50);
        },
      },
    });
    const done = await client(["--port", String(hostile.port), "-n", "ana"]).result();
    hostile.stop(true);
    expect(done.out).toEqual(["* name?", "* hello ana! 1 online: ana", "<x> red"]);
  });
});

describe("failing to start", () => {
  test("connection refused: exit 1 and one sentence naming the address", async () => {
    const spare = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const closed = spare.port;
    spare.stop(true);
    const done = await client(["--port", String(closed), "--name", "ana"], "").result();
    expect(done.code).toBe(1);
    expect(done.err).toBe(
      `Cannot connect to 127.0.0.1:${closed}: connection refused (is the server running?).\n`,
    );
    expect(done.out).toEqual([]);
  });

  test("in Portuguese with --lang pt", async () => {
    const spare = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const closed = spare.port;
    spare.stop(true);
    const done = await client(["--port", String(closed), "--lang", "pt"], "").result();
    expect(done.code).toBe(1);
    expect(done.err).toBe(
      `Não foi possível conectar a 127.0.0.1:${closed}: conexão recusada (o servidor está rodando?).\n`,
    );
  });

  test("bad flags: exit 1, one line, no stack", async () => {
    for (const args of [["--bogus"], ["--port", "99999"], ["--lang", "fr"]]) {
      const done = await client(args, "").result();
      expect(done.code).toBe(1);
      expect(done.err.trim().split("\n")).toHaveLength(1);
    }
  });

  test("--help: exit 0, usage on stdout", async () => {
    const done = await client(["--help"], "").result();
    expect(done.code).toBe(0);
    expect(done.out[0]).toBe("Usage: bun run client [options]");
  });
});
