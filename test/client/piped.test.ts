/**
 * The client as scripts use it: `bun src/cli/run-client.ts` spawned with piped
 * stdin, against a real server on port 0 (and small fake servers for the rude
 * cases). Checks exact stdout lines, stderr sentences and exit statuses.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { SERVER_DEFAULTS } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { connect } from "../support/lineclient.ts";
import { arrive, join, serve } from "../support/server.ts";
import { v2 } from "./v2.ts";

const WELCOME_ANA = `${v2("en").welcome("ana", ["ana"], "1.t", 0)}\n`;

/** How many whole lines `sent` holds. */
const lineCount = (sent: string): number => sent.split("\n").length - 1;

const ROOT = `${import.meta.dir}/../..`;
let server: RunningServer;

beforeAll(async () => {
  server = startServer({ ...SERVER_DEFAULTS, port: 0, quiet: true });
});
afterAll(async () => {
  await server.stop();
});

/** A spawned client whose stdout can be awaited line by line; `more` adds to its environment. */
function client(args: string[], input?: string, more: Record<string, string> = {}) {
  const env: Record<string, string | undefined> = { ...process.env, LANG: "C.UTF-8" };
  delete env.LC_ALL;
  delete env.LC_MESSAGES;
  delete env.PAPO_ROOM_PASSWORD;
  Object.assign(env, more);
  const proc = Bun.spawn([process.execPath, "src/cli/run-client.ts", ...args], {
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
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no line ${JSON.stringify(line)} in:\n${out}`);
        // Woken by more output; the timer is only the deadline.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          changed.push(() => {
            clearTimeout(timer);
            resolve();
          });
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
      // A deadline, not a wait: it only ends a client that hangs.
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
const GREETING = "* welcome to papo! this room speaks English. what is your name?";
const LIMITS =
  "* limits: a line can be up to 4096 characters long (accented letters and emoji count as two or more); you can send 20 lines at once, then 10 a second: faster lines wait their turn, none are lost";

/** A room of its own with the server's defaults (flood control, history), stopped after the test. */
const room = () =>
  serve({ rateLimit: SERVER_DEFAULTS.rateLimit, historyLines: SERVER_DEFAULTS.historyLines });

describe("piped clients against a real server", () => {
  test("two clients talk to each other", async () => {
    const own = ["--port", String(room().port)];
    const ana = client([...own, "--name", "ana"]);
    await ana.waitFor("* hello ana! 1 online: ana (type /help for commands)");
    const bob = client([...own, "--name", "bob"]);
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
      LIMITS,
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

  test("a latecomer sees the room's last lines, marked with the time they were said", async () => {
    const own = room();
    const ana = await join(own, "ana");
    ana.send("first");
    ana.send("/me waves");
    ana.send("/msg ana private lines are never replayed");
    await ana.until((l) => l.startsWith("[private to"));
    const done = await client(["--port", String(own.port), "-n", "bob"], "").result();
    expect(done.code).toBe(0);
    expect(done.out).toEqual([
      GREETING,
      "* hello bob! 2 online: ana, bob (type /help for commands)",
      LIMITS,
      expect.stringMatching(/^\[history \d\d:\d\d\] <ana> first$/),
      expect.stringMatching(/^\[history \d\d:\d\d\] \* <ana> waves$/),
      "* bye",
    ]);
  });

  test("without --name the first input line is the name", async () => {
    const own = room();
    await join(own, "watcher");
    const peer = await arrive(own);
    peer.send("listener");
    await peer.until((l) => l.startsWith("* limits"));
    const done = await client(
      ["--port", String(own.port)],
      "\n  bot  \nhello from a script\n",
    ).result();
    expect(done.code).toBe(0);
    expect(done.out).toContain(
      "* hello bot! 3 online: watcher, listener, bot (type /help for commands)",
    );
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

  test("a ``` block in the input is sent as one block; one left open at the end too", async () => {
    const peer = await connect(server.port);
    await peer.next();
    peer.send("ear2");
    const input =
      "before\n```python\ndef f():\n\n    return 1\n```\nafter\n```\nopen to the end\nstill\n";
    const done = await client([...port(), "-n", "pia"], input).result();
    expect(done.code).toBe(0);
    const said: string[] = [];
    while (said.length < 7) said.push(await peer.until((l) => l.startsWith("<pia>")));
    expect(said).toEqual([
      "<pia> before",
      "<pia> | def f():",
      "<pia> |",
      "<pia> |     return 1",
      "<pia> after",
      "<pia> | open to the end",
      "<pia> | still",
    ]);
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
    const own = room();
    const holder = await join(own, "taken");
    const done = await client(
      ["--port", String(own.port), "--name", "Taken"],
      "never sent\n",
    ).result();
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

describe("a room a class can live in", () => {
  test("a Portuguese locale sets the server's language before the name", async () => {
    const own = room();
    const peer = await join(own, "peer");
    const done = await client(["--port", String(own.port), "-n", "zé"], "oi\n", {
      LANG: "pt_BR.UTF-8",
    }).result();
    expect(done.code).toBe(0);
    expect(done.err).toBe("");
    expect(done.out).toEqual([
      GREETING,
      "* idioma: português",
      "* olá zé! 2 na sala: peer, zé (digite /help para ver os comandos)",
      "* limites: uma linha pode ter até 4096 caracteres (letras acentuadas e emoji contam como dois ou mais); você pode enviar 20 linhas de uma vez, depois 10 por segundo: as que vierem mais rápido esperam a vez, nenhuma se perde",
      "* tchau",
    ]);
    expect(await peer.until((l) => l.startsWith("<"))).toBe("<zé> oi");
  });

  test("an English client in a Portuguese room asks for English; one that agrees asks nothing", async () => {
    const own = serve({ lang: "pt" });
    const en = await client(["--port", String(own.port), "-n", "ann"], "", {
      LANG: "en_US.UTF-8",
    }).result();
    expect(en.out.slice(0, 3)).toEqual([
      "* boas-vindas ao papo! esta sala fala português. qual é o seu nome?",
      "* language: English",
      "* hello ann! 1 online: ann (type /help for commands)",
    ]);
    const pt = await client(["--port", String(own.port), "-n", "bia"], "", {
      LANG: "pt_BR",
    }).result();
    expect(pt.code).toBe(0);
    expect(pt.out.slice(0, 2)).toEqual([
      "* boas-vindas ao papo! esta sala fala português. qual é o seu nome?",
      "* olá bia! 1 na sala: bia (digite /help para ver os comandos)",
    ]);
    expect(pt.out.at(-1)).toBe("* tchau");
  });

  test("a locale naming no language (C.UTF-8, or none) follows the room's, its own words too", async () => {
    const own = serve({ lang: "pt", roomPassword: "turma7b" });
    const args = ["--port", String(own.port), "-n", "ana"];
    for (const LANG of ["C.UTF-8", ""]) {
      const done = await client(args, "", { LANG }).result();
      expect(done.out.slice(0, 3)).toEqual([
        "* boas-vindas ao papo! esta sala fala português e tem senha: envie a senha primeiro, depois o seu nome",
      ]);
      // Said by the client itself, after the room's greeting told it the language.
      expect(done.err).toBe(
        "Esta sala tem senha: coloque-a na variável de ambiente PAPO_ROOM_PASSWORD.\n",
      );
    }
    const chosen = await client([...args, "--lang", "en"], "", { LANG: "C.UTF-8" }).result();
    expect(chosen.err).toBe(
      "This room has a password: put it in the environment variable PAPO_ROOM_PASSWORD.\n",
    );
  });

  test("the room's password comes from PAPO_ROOM_PASSWORD, or the variable --password-env names", async () => {
    const own = serve({ roomPassword: "turma7b" });
    const args = ["--port", String(own.port), "-n", "ana"];
    const done = await client(args, "", { PAPO_ROOM_PASSWORD: "turma7b" }).result();
    expect(done.code).toBe(0);
    expect(done.out.slice(0, 3)).toEqual([
      "* welcome to papo! this room speaks English and has a password: send it first, then your name",
      "* password accepted. what is your name?",
      "* hello ana! 1 online: ana (type /help for commands)",
    ]);
    const named = await client([...args, "--password-env", "CLASS"], "", {
      CLASS: "turma7b",
    }).result();
    expect(named.code).toBe(0);
    expect(named.out.at(-1)).toBe("* bye");
  });

  test("a room password missing or wrong: exit 1, one sentence, and the name is never sent", async () => {
    const own = serve({ roomPassword: "turma7b" });
    const args = ["--port", String(own.port), "-n", "ana"];
    const missing = await client(args, "hi\n").result();
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(
      "This room has a password: put it in the environment variable PAPO_ROOM_PASSWORD.\n",
    );
    const wrong = await client(args, "hi\n", { PAPO_ROOM_PASSWORD: "nope" }).result();
    expect(wrong.code).toBe(1);
    expect(wrong.err).toBe("The server refused the password: wrong password.\n");
    expect(wrong.out).toEqual([
      "* welcome to papo! this room speaks English and has a password: send it first, then your name",
      "! wrong password",
    ]);
    const unset = await client([...args, "--password-env", "NOT_SET_ANYWHERE"], "").result();
    expect(unset.code).toBe(1);
    expect(unset.err).toBe("The variable NOT_SET_ANYWHERE (from --password-env) is not set.\n");
  });

  test("a line over the server's limit is skipped here, with the limit, not sent to be refused", async () => {
    const own = serve({ maxLineBytes: 100 });
    const reader = await join(own, "reader");
    const long = "é".repeat(51); // 102 bytes, 51 characters
    const done = await client(
      ["--port", String(own.port), "-n", "bot"],
      `${long}\nshort\n`,
    ).result();
    expect(done.code).toBe(0);
    expect(done.err).toBe("Skipped an input line longer than 100 bytes.\n");
    expect(done.out).not.toContain("! line too long");
    expect(await reader.until((l) => l.startsWith("<"))).toBe("<bot> short");
  });

  test("kicked by an operator: exit 2 with the server's words", async () => {
    const own = serve({ opPassword: "sesame" });
    const op = await join(own, "teacher");
    op.send("/op sesame");
    await op.next();
    const bot = client(["--port", String(own.port), "-n", "bot"]);
    await bot.waitFor("* hello bot! 2 online: teacher, bot (type /help for commands)");
    op.send("/kick bot enough");
    const done = await bot.result();
    expect(done.code).toBe(2);
    expect(done.out.at(-1)).toBe("* bot was kicked by teacher (enough)");
    expect(done.err).toBe("Disconnected: bot was kicked by teacher (enough).\n");
  });

  test("--host takes host:port, and refuses one that contradicts --port", async () => {
    const own = room();
    const done = await client(["--host", `127.0.0.1:${own.port}`, "-n", "ana"], "").result();
    expect(done.code).toBe(0);
    const clash = await client(["--host", `127.0.0.1:${own.port}`, "--port", "1"], "").result();
    expect(clash.code).toBe(1);
    expect(clash.err).toBe(
      `--host 127.0.0.1:${own.port} names another port than --port 1: give the port once.\n`,
    );
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
    let peer: Socket<undefined> | undefined;
    const cutter = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: (socket: Socket<undefined>) => {
          socket.write("* name?\n");
        },
        data: (socket: Socket<undefined>, chunk: Uint8Array) => {
          peer = socket;
          const got = new TextDecoder().decode(chunk);
          socket.write(got.startsWith("CAP ") ? `${v2("en").cap()}\n` : WELCOME_ANA);
        },
      },
    });
    const c = client(["--port", String(cutter.port), "-n", "ana"]);
    // Cut once the client has joined.
    await c.waitFor("* hello ana! 1 online: ana (type /help for commands)");
    peer?.terminate();
    const done = await c.result();
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
          const before = lineCount(heard);
          heard += new TextDecoder().decode(chunk);
          // CAP, then the name, each answered; then only the close.
          if (before < 1 && lineCount(heard) >= 1) socket.write(`${v2("en").cap()}\n`);
          if (before < 2 && lineCount(heard) >= 2) socket.write(WELCOME_ANA);
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
    let peer: Socket<undefined> | undefined;
    const hostile = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: (socket: Socket<undefined>) => {
          socket.write("* name?\x1b]0;pwned\x07\n");
        },
        data: (socket: Socket<undefined>) => {
          peer = socket;
          socket.write("* hello ana! 1 online: ana\n<x> \x1b[2J\x1b[31mred\x9b0m\x07\n");
        },
      },
    });
    const c = client(["--port", String(hostile.port), "-n", "ana"]);
    // Closed once the client has shown the last line.
    await c.waitFor("<x> red");
    peer?.end();
    const done = await c.result();
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
