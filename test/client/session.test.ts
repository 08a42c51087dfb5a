/**
 * The client session over real sockets on 127.0.0.1: against the real server
 * for the happy paths, against small fake servers for the rude ones.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Socket, TCPSocketListener } from "bun";
import type { ConnectFailure } from "../../src/client/core/outcome.ts";
import { openSession, Session } from "../../src/client/core/session.ts";
import type { SessionEvent } from "../../src/client/core/state.ts";
import { CLIENT_DEFAULTS, type ClientConfig, SERVER_DEFAULTS } from "../../src/config.ts";
import type { Lang } from "../../src/protocol/lang.ts";

const en = v2("en");
/** The text of a line event, or null for any other event. */
const text = (e: SessionEvent | undefined) => (e?.kind === "line" ? e.line.text : null);

import { type RunningServer, startServer } from "../../src/server/server.ts";
import { connect } from "../support/lineclient.ts";
import { join, serve } from "../support/server.ts";
import { v2 } from "./v2.ts";

let server: RunningServer;

beforeAll(async () => {
  server = startServer({ ...SERVER_DEFAULTS, web: false, port: 0, quiet: true });
});
afterAll(async () => {
  await server.stop();
});

const config = (port: number, more: Partial<ClientConfig> = {}): ClientConfig => ({
  ...CLIENT_DEFAULTS,
  port,
  connectTimeoutMs: 1000,
  quitWaitMs: 500,
  ...more,
});

/** Open a session that records its events; `lang` is the language the person reads. */
async function open(cfg: ClientConfig, lang: Lang | null = null) {
  const events: SessionEvent[] = [];
  const waiters: Array<() => void> = [];
  const result = await openSession(
    cfg,
    (event) => {
      events.push(event);
      for (const w of waiters.splice(0)) w();
    },
    lang,
  );
  /** Resolves with the first recorded event that matches, waiting up to 2 s. */
  const next = async (match: (e: SessionEvent) => boolean): Promise<SessionEvent> => {
    const deadline = Date.now() + 2000;
    for (;;) {
      const found = events.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such event in ${JSON.stringify(events)}`);
      // Woken by the next event; the timer is only the deadline.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return { result, events, next };
}

function expectSession(result: Session | ConnectFailure): Session {
  if (!(result instanceof Session)) throw new Error(`connect failed: ${JSON.stringify(result)}`);
  return result;
}

/** A fake server: `open` decides what each new connection hears. */
function fakeServer(handlers: {
  open?: (socket: Socket<undefined>) => void;
  data?: (socket: Socket<undefined>, chunk: Uint8Array) => void;
}): TCPSocketListener<undefined> {
  return Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: { open: handlers.open, data: handlers.data ?? (() => {}) },
  });
}

const CAP_ANSWER = `${en.cap()}\n`;
const WELCOME_ANA = `${en.welcome("ana", ["ana"], "1.t", 0)}\n`;
const BYE = `${en.reply("bye", [])}\n`;

/**
 * A fake v2 server that greets, answers CAP, welcomes any name, and hands
 * every later line the client sends to `line`.
 */
function talkingServer(line: (socket: Socket<undefined>, text: string) => void) {
  const pending = new Map<Socket<undefined>, string>();
  const heard = new Map<Socket<undefined>, number>();
  return fakeServer({
    open: (socket) => {
      socket.write("* name?\n");
    },
    data: (socket, chunk) => {
      const text = (pending.get(socket) ?? "") + new TextDecoder().decode(chunk);
      const lines = text.split("\n");
      pending.set(socket, lines.pop() ?? "");
      for (const received of lines) {
        const count = (heard.get(socket) ?? 0) + 1;
        heard.set(socket, count);
        if (count === 1) socket.write(CAP_ANSWER);
        else if (count === 2) socket.write(WELCOME_ANA);
        else line(socket, received);
      }
    },
  });
}

describe("against the real server", () => {
  test("greeting, name, chat, /quit", async () => {
    const peer = await connect(server.port);
    await peer.next();
    peer.send("bob");
    await peer.next();

    const { result, events, next } = await open(config(server.port));
    const session = expectSession(result);
    expect(text(events[0])).toBe("* welcome to papo! this room speaks English. what is your name?");
    expect(session.state.phase).toBe("naming");

    session.sendName("ana");
    expect(await next((e) => e.kind === "joined")).toMatchObject({ kind: "joined", name: "ana" });
    session.send("hello bob");
    expect(await peer.until((l) => l.startsWith("<"))).toBe("<ana> hello bob");
    peer.send("hi ana");
    const said = await next((e) => text(e) === "<bob> hi ana");
    expect(said).toMatchObject({ line: { kind: "chat", from: "bob" } });

    expect(await session.quit("done")).toEqual({ kind: "quit" });
    expect(text(events.at(-1))).toBe("* bye");
    expect(await peer.until((l) => l.includes("left"))).toBe("* ana left (done)");
    peer.end();
  });

  test("a refused name can be followed by another", async () => {
    const { result, next } = await open(config(server.port));
    const session = expectSession(result);
    session.sendName("no spaces please");
    const rejected = await next((e) => e.kind === "rejected");
    expect(rejected).toEqual({
      kind: "rejected",
      reason: "invalid name: use only letters, digits, _ - and . (no spaces)",
      taken: false,
    });
    session.sendName("carla");
    await next((e) => e.kind === "joined");
    expect(session.state.name).toBe("carla");
    await session.quit();
  });

  test("/nick is followed", async () => {
    const { result, next } = await open(config(server.port));
    const session = expectSession(result);
    session.sendName("dora");
    await next((e) => e.kind === "joined");
    session.send("/nick dori");
    expect(await next((e) => e.kind === "renamed")).toEqual({ kind: "renamed", name: "dori" });
    await session.quit();
  });

  test("a typed line that reads as a block's header is sent as text", async () => {
    const peer = await join(server, "pia");
    const { result, next } = await open(config(server.port));
    const session = expectSession(result);
    session.sendName("ines");
    await next((e) => e.kind === "joined");
    expect(session.send("@block=2")).toEqual({ kind: "sent" });
    session.send("one");
    session.send("two");
    expect(await peer.until((l) => l.startsWith("<"))).toBe("<ines> @block=2");
    expect(await peer.next()).toBe("<ines> one");
    expect(await peer.next()).toBe("<ines> two");
    await session.quit();
    peer.end();
  });

  test("a line over the server's limit is refused before it is sent", async () => {
    const small = serve({ maxLineBytes: 10 });
    const peer = await join(small, "peer");
    const { result, next } = await open(config(small.port));
    const session = expectSession(result);
    session.sendName("ana");
    await next((e) => e.kind === "joined");
    expect(session.send("x".repeat(11))).toEqual({ kind: "too-long", bytes: 11, maxBytes: 10 });
    expect(session.send("ção ção")).toEqual({ kind: "too-long", bytes: 11, maxBytes: 10 });
    expect(session.send("ten bytes!")).toEqual({ kind: "sent" });
    expect(await peer.until((l) => l.startsWith("<"))).toBe("<ana> ten bytes!");
    expect(await peer.quiet(100)).toEqual([]);
    await session.quit();
  });

  test("a person who reads Portuguese gets the server's lines in Portuguese", async () => {
    const { result, events, next } = await open(config(server.port), "pt");
    const session = expectSession(result);
    session.sendName("zé");
    expect(await next((e) => e.kind === "joined")).toMatchObject({ kind: "joined", name: "zé" });
    const lines = events.flatMap((e) => (e.kind === "line" ? [e.line.text] : []));
    expect(lines.slice(0, 3)).toEqual([
      "* welcome to papo! this room speaks English. what is your name?",
      "* idioma: português",
      expect.stringMatching(/^\* olá zé! /),
    ]);
    expect(await session.quit()).toEqual({ kind: "quit" });
    expect(text(events.at(-1))).toBe("* tchau");
  });

  test("a room's password goes first; a wrong one is answered and can be tried again", async () => {
    const locked = serve({ roomPassword: "turma7b" });
    const { result, next } = await open(config(locked.port));
    const session = expectSession(result);
    expect(session.state.phase).toBe("password");
    session.sendName("ana"); // not yet: the server wants the password
    session.sendPassword("wrong");
    await next((e) => e.kind === "password-rejected");
    session.sendPassword("turma7b");
    await next((e) => e.kind === "password-accepted");
    session.sendName("ana");
    expect(await next((e) => e.kind === "joined")).toMatchObject({ kind: "joined", name: "ana" });
    await session.quit();
  });

  test("quitting before a name just closes", async () => {
    const session = expectSession((await open(config(server.port))).result);
    expect(await session.quit()).toEqual({ kind: "quit" });
  });
});

describe("connection failures are values", () => {
  test("refused", async () => {
    const spare = fakeServer({});
    const port = spare.port;
    spare.stop(true);
    expect((await open(config(port))).result).toEqual({ code: "refused" });
  });

  test("a server that accepts but never speaks times out", async () => {
    const silent = fakeServer({});
    const started = performance.now();
    const { result } = await open(config(silent.port, { connectTimeoutMs: 200 }));
    expect(result).toEqual({ code: "timeout" });
    expect(performance.now() - started).toBeLessThan(1500);
    silent.stop(true);
  });

  test("a full server's reason is kept", async () => {
    const full = fakeServer({
      open: (socket) => {
        socket.write("! server full\n");
        socket.end();
      },
    });
    expect((await open(config(full.port))).result).toEqual({
      code: "server",
      reason: "server full",
      banned: false,
    });
    full.stop(true);
  });

  test("closed without a word", async () => {
    const rude = fakeServer({ open: (socket) => socket.end() });
    expect((await open(config(rude.port))).result).toEqual({ code: "closed" });
    rude.stop(true);
  });
});

describe("against a misbehaving server", () => {
  test("lines are sanitized before anyone sees them; lines split anywhere", async () => {
    let peer: Socket<undefined> | undefined;
    const hostile = fakeServer({
      open: (socket) => {
        peer = socket;
        socket.write("* hi\x1b]0;pwned\x07, name?\n");
      },
      data: (socket) => {
        socket.write(`${en.cap()}\n@kind=chat;from=evil <ev`);
      },
    });
    const { result, events, next } = await open(config(hostile.port));
    expectSession(result);
    // The CAP answer was read, and with it the start of the next line: send the rest.
    await next((e) => e.kind === "greeted");
    peer?.write("il> \x1b[2Jboo\x07\r\n");
    await next((e) => text(e)?.startsWith("<evil>") === true);
    expect(events.map(text).filter((t) => t !== null)).toEqual(["* hi, name?", "<evil> boo"]);
    hostile.stop(true);
  });

  test("a connection cut after joining ends as lost", async () => {
    let peer: Socket<undefined> | undefined;
    const cutter = fakeServer({
      open: (socket) => {
        peer = socket;
        socket.write("* name?\n");
      },
      // CAP, then the name: each answered.
      data: (socket, chunk) => {
        const got = new TextDecoder().decode(chunk);
        socket.write(got.startsWith("CAP ") ? CAP_ANSWER : WELCOME_ANA);
      },
    });
    const { result, next } = await open(config(cutter.port));
    const session = expectSession(result);
    session.sendName("ana");
    await next((e) => e.kind === "joined");
    // Cut once the client has joined.
    peer?.terminate();
    expect(await session.ended).toEqual({ kind: "lost" });
    cutter.stop(true);
  });

  test("a server that says bye but never closes is cut off after quitWaitMs", async () => {
    const clingy = talkingServer((socket, line) => {
      if (line === "/quit") socket.write(BYE);
    });
    const { result, next } = await open(config(clingy.port, { quitWaitMs: 150 }));
    const session = expectSession(result);
    session.sendName("ana");
    await next((e) => e.kind === "joined");
    const started = performance.now();
    expect(await session.quit()).toEqual({ kind: "quit" });
    expect(performance.now() - started).toBeLessThan(1000);
    clingy.stop(true);
  });

  test("a server that never answers /quit is cut off after quitWaitMs, and that is lost", async () => {
    const mute = talkingServer(() => {});
    const { result, next } = await open(config(mute.port, { quitWaitMs: 150 }));
    const session = expectSession(result);
    session.sendName("ana");
    await next((e) => e.kind === "joined");
    const started = performance.now();
    expect(await session.quit()).toEqual({ kind: "lost" });
    expect(performance.now() - started).toBeLessThan(1000);
    mute.stop(true);
  });

  test("a server that closes after /quit without its bye: lost", async () => {
    const dying = talkingServer((socket, line) => {
      if (line === "/quit") socket.end();
    });
    const { result, next } = await open(config(dying.port));
    const session = expectSession(result);
    session.sendName("ana");
    await next((e) => e.kind === "joined");
    expect(await session.quit()).toEqual({ kind: "lost" });
    dying.stop(true);
  });

  test("after a slow-down notice the wait for the bye allows for the delayed lines", async () => {
    // Five lines (name, three messages, /quit) at 5 a second: up to 1 s after the notice.
    const slow = talkingServer((socket, line) => {
      if (line === "three") socket.write(`${en.reply("slowDown", [5])}\n`);
      if (line === "/quit") {
        // The bye comes late on purpose: how long the client waits for it is tested.
        setTimeout(() => {
          socket.write(BYE);
          socket.end();
        }, 600);
      }
    });
    const { result, next } = await open(config(slow.port, { quitWaitMs: 200 }));
    const session = expectSession(result);
    session.sendName("ana");
    await next((e) => e.kind === "joined");
    for (const line of ["one", "two", "three"]) session.send(line);
    expect(await next((e) => e.kind === "delayed")).toEqual({ kind: "delayed", rate: 5 });
    const started = performance.now();
    expect(await session.quit()).toEqual({ kind: "quit" });
    expect(performance.now() - started).toBeGreaterThan(500);
    slow.stop(true);
  });

  test("the longer wait is bounded by the lines sent", async () => {
    const stuck = talkingServer((socket, line) => {
      if (line === "one") socket.write(`${en.reply("slowDown", [10])}\n`);
    });
    const { result, next } = await open(config(stuck.port, { quitWaitMs: 200 }));
    const session = expectSession(result);
    session.sendName("ana");
    await next((e) => e.kind === "joined");
    session.send("one");
    await next((e) => e.kind === "delayed");
    // Three lines at 10 a second, then quitWaitMs: about half a second.
    const started = performance.now();
    expect(await session.quit()).toEqual({ kind: "lost" });
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThan(300);
    expect(waited).toBeLessThan(1500);
    stuck.stop(true);
  });

  test("a large burst arrives whole and in order (the write queue under backpressure)", async () => {
    const received: Uint8Array[] = [];
    let total = 0;
    const line = "x".repeat(999);
    const count = 8000; // 8 MB: more than the kernel buffers take in one go
    const expected = "CAP papo/2\nana\n".length + count * 1000;
    let arrived: () => void = () => {};
    const all = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const sink = fakeServer({
      open: (socket) => {
        socket.write("* name?\n");
      },
      data: (socket, chunk) => {
        // The CAP, then the name, each answered as it comes.
        if (received.length < 2) socket.write(received.length === 0 ? CAP_ANSWER : WELCOME_ANA);
        total += chunk.length;
        received.push(new Uint8Array(chunk));
        if (total >= expected) arrived();
      },
    });
    const { result, next } = await open(config(sink.port));
    const session = expectSession(result);
    session.sendName("ana");
    await next((e) => e.kind === "joined");
    for (let i = 0; i < count; i++) session.send(line);
    await session.whenDrained();
    await all;
    expect(total).toBe(expected);
    const text = new TextDecoder().decode(Buffer.concat(received));
    expect(text.split("\n").filter((l) => l === line).length).toBe(count);
    sink.stop(true);
    await session.quit();
  });
});
