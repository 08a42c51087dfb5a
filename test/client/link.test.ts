/**
 * The interactive client's link to the room over real sockets: reconnecting
 * after a restart, not after a kick or a ban, rejoining past our own ghost,
 * and a name prompt the server's time limit cannot cut short.
 */

import { describe, expect, test } from "bun:test";
import { Link, type LinkEvents } from "../../src/client/core/link.ts";
import { STRINGS } from "../../src/client/strings.ts";
import { SERVER_DEFAULTS, type ServerConfig } from "../../src/config.ts";
import type { Log } from "../../src/server/log.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { optionsFor } from "../support/client.ts";
import { joinFrom } from "../support/netclient.ts";
import { eventually, join, serve } from "../support/server.ts";
import { Door } from "./door.ts";

/** Every event the link sends the screen, as "kind: detail" strings. */
function recorder() {
  const seen: string[] = [];
  const events: LinkEvents = {
    line: (line) => seen.push(`line: ${line.text}`),
    askPassword: () => seen.push("askPassword"),
    passwordAccepted: () => seen.push("passwordAccepted"),
    askName: () => seen.push("askName"),
    joined: (name) => seen.push(`joined: ${name}`),
    renamed: (name) => seen.push(`renamed: ${name}`),
    offline: (seconds) => seen.push(`offline: ${seconds}`),
    say: (text) => seen.push(`say: ${text}`),
  };
  const count = (entry: string) => seen.filter((e) => e === entry).length;
  return { seen, events, count, has: (entry: string) => seen.includes(entry) };
}

/** A server of our own on a given port, for restarts; stopped by the test. */
const restart = (port: number, more: Partial<ServerConfig> = {}, log?: Log): RunningServer =>
  startServer(
    {
      ...SERVER_DEFAULTS,
      web: false,
      port,
      quiet: true,
      rateLimit: 0,
      historyLines: 0,
      ...more,
    },
    log,
  );

describe("reconnecting", () => {
  test("after a restart it rejoins under the same name, saying so and counting down", async () => {
    const first = restart(0);
    const port = first.port;
    const r = recorder();
    const link = new Link(optionsFor(port, { name: "ana" }), r.events);
    expect(await link.start()).toBeNull();
    await eventually(() => r.has("joined: ana"));
    await first.stop();
    await eventually(() =>
      r.has("say: Disconnected: server shutting down. Reconnecting (Ctrl-C to give up)."),
    );
    await eventually(() => r.count("offline: null") >= 2); // tries while the server is down
    const second = restart(port);
    try {
      await eventually(() => r.count("joined: ana") === 2, 3000);
      expect(r.seen).toContainEqual(
        expect.stringMatching(/^say: Cannot connect to 127\.0\.0\.1:\d+: connection refused/),
      );
      expect(r.seen).toContain("offline: 1");
      // The greeting is shown once; the welcome again, since it says who is there now.
      expect(r.count("line: * welcome to papo! this room speaks English. what is your name?")).toBe(
        1,
      );
      expect(r.count("line: * hello ana! 1 online: ana (type /help for commands)")).toBe(2);
      expect(link.send("back")).toEqual({ kind: "sent" });
      // Once in the room, the answer to the person's own /lang is shown, on any connection.
      link.send("/lang");
      await eventually(() => r.has("line: * language: English"));
      link.quit();
      expect(await link.done).toEqual({ kind: "ended", ending: { kind: "quit" } });
    } finally {
      await second.stop();
    }
  });

  test("an operator back after a restart is told its rights are gone; a kept name gives them back", async () => {
    const first = restart(0, { opPassword: "s3nha" });
    const port = first.port;
    const r = recorder();
    const link = new Link(optionsFor(port, { name: "prof" }), r.events);
    expect(await link.start()).toBeNull();
    await eventually(() => r.has("joined: prof"));
    link.send("/op s3nha");
    await eventually(() => r.has("line: * you are now an operator"));
    await first.stop();
    // No store: the restarted server knows neither the token nor the operator.
    const second = restart(port, { opPassword: "s3nha" });
    try {
      await eventually(() => r.count("joined: prof") === 2, 3000);
      await eventually(() => r.has(`say: ${STRINGS.en.operatorLost}`));
      expect(r.count(`say: ${STRINGS.en.operatorLost}`)).toBe(1);
      link.quit();
      await link.done;
    } finally {
      await second.stop();
    }
    // A name kept for operators: the person is asked for the operator password, which makes
    // an operator at once (no warning), and is given again by itself after a restart.
    const third = restart(0, { opPassword: "s3nha", opNames: "prof" });
    const keptPort = third.port;
    const r2 = recorder();
    const kept: Link = new Link(optionsFor(keptPort, { name: "prof" }), {
      ...r2.events,
      askOperatorPassword: (name) => {
        r2.seen.push(`askOperatorPassword: ${name}`);
        kept.giveOperatorPassword("s3nha");
      },
    });
    let fourth: RunningServer | null = null;
    try {
      expect(await kept.start()).toBeNull();
      await eventually(() => r2.has("line: * you are now an operator"));
      expect(r2.count("askOperatorPassword: prof")).toBe(1);
      await third.stop();
      fourth = restart(keptPort, { opPassword: "s3nha", opNames: "prof" });
      await eventually(() => r2.count("line: * you are now an operator") === 2, 3000);
      expect(r2.count("askOperatorPassword: prof")).toBe(1);
      expect(r2.seen.filter((e) => e.startsWith("say: ") && e.includes("operator"))).toEqual([]);
      // The password changed at a restart: the old one is tried once, then the person is asked.
      await fourth.stop();
      fourth = restart(keptPort, { opPassword: "n0va", opNames: "prof" });
      await eventually(() => r2.count("askOperatorPassword: prof") === 2, 5000);
      expect(r2.count("line: ! wrong password")).toBeLessThanOrEqual(1);
      kept.quit();
      await kept.done;
    } finally {
      await third.stop();
      await fourth?.stop();
    }
  });

  test("kicked: no reconnecting", async () => {
    const server = serve({ opPassword: "sesame" });
    const op = await join(server, "op");
    op.send("/op sesame");
    await op.next();
    const r = recorder();
    const link = new Link(optionsFor(server.port, { name: "ana" }), r.events);
    await link.start();
    await eventually(() => r.has("joined: ana"));
    op.send("/kick ana bye now");
    expect(await link.done).toEqual({
      kind: "ended",
      ending: { kind: "removed", notice: "ana was kicked by op (bye now)" },
    });
    expect(r.seen.filter((e) => e.startsWith("offline"))).toEqual([]);
  });

  test("banned: no reconnecting, and a try at the door of a room that banned us is the end", async () => {
    const server = serve({ opPassword: "sesame" });
    // The operator on another loopback address: nobody may ban their own.
    const op = await joinFrom(server.port, "op", "127.0.0.2");
    op.send("/op sesame");
    await op.until((l) => l === "* you are now an operator");
    const r = recorder();
    const link = new Link(optionsFor(server.port, { name: "ana" }), r.events);
    await link.start();
    await eventually(() => r.has("joined: ana"));
    op.send("/ban ana");
    const end = await link.done;
    expect(end).toEqual({
      kind: "ended",
      ending: { kind: "removed", notice: "ana was banned by op" },
    });
    // A fresh link from the same address is refused at the door.
    const again = new Link(optionsFor(server.port, { name: "ana" }), recorder().events);
    expect(await again.start()).toEqual({
      code: "server",
      reason: "you are banned from this room",
      banned: true,
    });
  });

  test("our own ghost holds the name: retried, said once, until it is free", async () => {
    const first = restart(0);
    const port = first.port;
    const r = recorder();
    const link = new Link(optionsFor(port, { name: "ana" }), r.events);
    await link.start();
    await eventually(() => r.has("joined: ana"));
    await first.stop();
    // Each try is a new connection, which the server logs.
    let tries = 0;
    const second = restart(
      port,
      {},
      {
        info() {},
        note() {},
        event: (_peer, text) => {
          if (text.startsWith("connected")) tries++;
        },
      },
    );
    try {
      const ghost = await join(second, "ana");
      await eventually(() => r.seen.some((e) => e.startsWith("say: The name ana is still taken")));
      const told = tries;
      await eventually(() => tries >= told + 3); // several tries
      expect(r.seen.filter((e) => e.startsWith("say: The name ana is still taken"))).toHaveLength(
        1,
      );
      expect(r.has("askName")).toBe(false);
      ghost.send("/quit");
      await eventually(() => r.count("joined: ana") === 2, 3000);
      link.quit();
      await link.done;
    } finally {
      await second.stop();
    }
  });

  test("/nick while out of the room picks the name to come back as, and tries at once", async () => {
    const first = restart(0);
    const port = first.port;
    const r = recorder();
    const link = new Link(optionsFor(port, { name: "ana" }), r.events);
    await link.start();
    await eventually(() => r.has("joined: ana"));
    await first.stop();
    const second = restart(port);
    try {
      await join(second, "ana");
      await eventually(() => r.seen.some((e) => e.startsWith("say: The name ana is still taken")));
      expect(link.rejoinAs("two words")).toBe("bad-chars");
      expect(link.rejoinAs("ana2")).toBeNull();
      await eventually(() => r.has("joined: ana2"), 3000);
      link.quit();
      await link.done;
    } finally {
      await second.stop();
    }
  });

  test("giving up while out of the room ends with the loss", async () => {
    const first = restart(0);
    const r = recorder();
    const link = new Link(optionsFor(first.port, { name: "ana" }), r.events);
    await link.start();
    await eventually(() => r.has("joined: ana"));
    await first.stop();
    await eventually(() => r.seen.some((e) => e.startsWith("offline")));
    expect(link.send("hello?")).toEqual({ kind: "offline" });
    link.quit();
    expect(await link.done).toEqual({
      kind: "ended",
      ending: { kind: "shutdown", notice: "server shutting down" },
    });
  });

  test("a first connection that fails is the run's failure, not retried", async () => {
    const spare = restart(0);
    const port = spare.port;
    await spare.stop();
    const r = recorder();
    expect(await new Link(optionsFor(port), r.events).start()).toEqual({ code: "refused" });
    expect(r.seen).toEqual([]);
  });
});

describe("a person typing slowly", () => {
  test("the server's name timeout is met with a silent reconnection once the name comes", async () => {
    const server = serve({ nameTimeoutMs: 150 });
    const r = recorder();
    const link = new Link(optionsFor(server.port), r.events);
    await link.start();
    await eventually(() => r.has("askName"));
    // The server gives up on this connection after its name timeout.
    await eventually(() => server.connectionCount() === 0);
    link.giveName("ana");
    await eventually(() => r.has("joined: ana"));
    expect(r.seen.filter((e) => e.includes("no name given"))).toEqual([]);
    expect(r.count("line: * welcome to papo! this room speaks English. what is your name?")).toBe(
      1,
    );
    expect(r.seen.filter((e) => e.startsWith("offline") || e.startsWith("say"))).toEqual([]);
    link.quit();
    await link.done;
  });

  test("the room's password: asked for, asked again when wrong, remembered for reconnecting", async () => {
    const server = serve({ roomPassword: "turma7b", nameTimeoutMs: 300 });
    const r = recorder();
    const link = new Link(optionsFor(server.port), r.events);
    await link.start();
    await eventually(() => r.has("askPassword"));
    link.givePassword("wrong");
    await eventually(() => r.count("askPassword") === 2);
    expect(r.has("line: ! wrong password")).toBe(true);
    link.givePassword("turma7b");
    await eventually(() => r.has("askName"));
    // Timed out: the next connection needs the password again.
    await eventually(() => server.connectionCount() === 0);
    link.giveName("ana");
    await eventually(() => r.has("joined: ana"), 3000);
    expect(r.count("askPassword")).toBe(2);
    expect(r.count("line: * password accepted. what is your name?")).toBe(1);
    link.quit();
    await link.done;
  });

  test("a password from the environment is given without asking", async () => {
    const server = serve({ roomPassword: "turma7b" });
    const r = recorder();
    const link = new Link(optionsFor(server.port, { name: "ana", password: "turma7b" }), r.events);
    await link.start();
    await eventually(() => r.has("joined: ana"));
    expect(r.has("askPassword")).toBe(false);
    link.quit();
    await link.done;
  });

  test("Portuguese: /lang pt goes first, and its answer is shown once", async () => {
    const server = serve();
    const r = recorder();
    const link = new Link(
      optionsFor(server.port, { name: "zé", lang: "pt", strings: STRINGS.pt }),
      r.events,
    );
    await link.start();
    await eventually(() => r.has("joined: zé"));
    expect(r.seen.slice(0, 3)).toEqual([
      "line: * welcome to papo! this room speaks English. what is your name?",
      "line: * idioma: português",
      "line: * olá zé! 1 na sala: zé (digite /help para ver os comandos)",
    ]);
    link.quit();
    expect(await link.done).toEqual({ kind: "ended", ending: { kind: "quit" } });
  });
});

describe("leaving before the greeting", () => {
  test("quit while connected and not yet greeted closes at once: no name is ever sent", async () => {
    const door = new Door();
    try {
      const r = recorder();
      const link = new Link(optionsFor(door.port, { name: "ana" }), r.events);
      const started = link.start();
      const connection = await door.connection();
      // A line that is no greeting: once it is shown, the client's socket is open.
      connection.send("slow server here");
      await eventually(() => r.has("line: slow server here"));
      link.quit();
      await eventually(() => connection.closed);
      expect(await started).toBeNull();
      expect(await link.done).toEqual({ kind: "ended", ending: { kind: "quit" } });
      // Only the CAP, sent as the socket opens: no name.
      expect(connection.lines).toEqual(["CAP papo/2"]);
    } finally {
      door.stop();
    }
  });

  test("quit before the socket has even opened: it is closed as it opens, nothing sent", async () => {
    const door = new Door();
    try {
      const r = recorder();
      const link = new Link(optionsFor(door.port, { name: "ana" }), r.events);
      const started = link.start();
      link.quit();
      expect(await started).toBeNull();
      expect(await link.done).toEqual({ kind: "ended", ending: { kind: "quit" } });
      const connection = await door.connection();
      connection.send("* welcome to papo! this room speaks English. what is your name?");
      await eventually(() => connection.closed);
      expect(connection.lines).toEqual([]);
      expect(r.seen).toEqual([]);
    } finally {
      door.stop();
    }
  });
});
