/**
 * What a teacher running a class needs, over real sockets: Portuguese end to
 * end, history for latecomers, operators who can kick, ban and set the topic,
 * a room password, and a cap on connections per address.
 */

import { describe, expect, test } from "bun:test";
import { connect } from "../support/lineclient.ts";
import { joinFrom } from "../support/netclient.ts";
import { arrive, eventually, join, serve } from "../support/server.ts";

/** Read the lines a newcomer gets after its welcome: limits, topic, history. */
async function welcomed(c: Awaited<ReturnType<typeof arrive>>, name: string): Promise<string[]> {
  c.send(name);
  const lines = [await c.next()];
  lines.push(...(await c.quiet(150)));
  return lines;
}

describe("Portuguese end to end", () => {
  test("a server started in Portuguese speaks it in every line, never translating names or text", async () => {
    const server = serve({ lang: "pt" });
    const c = await connect(server.port);
    expect(await c.next()).toBe(
      "* boas-vindas ao papo! esta sala fala português. qual é o seu nome?",
    );
    c.send("two words");
    expect(await c.next()).toBe("! nome inválido: use só letras, dígitos, _ - e . (sem espaços)");
    c.send("ana");
    expect(await c.next()).toBe("* olá ana! 1 na sala: ana (digite /help para ver os comandos)");
    expect(await c.next()).toBe(
      "* limites: uma linha pode ter até 4096 caracteres (letras acentuadas e emoji contam como dois ou mais); envie quantas linhas quiser",
    );
    const bob = await join(server, "bob").catch(() => null);
    expect(bob).toBeNull(); // join() expects English: the Portuguese welcome is not "* hello"
    expect(await c.until((l) => l.startsWith("* bob"))).toBe("* bob entrou");
    c.send("/help");
    expect(await c.next()).toBe("* comandos:");
    c.send("/quit fui");
    expect(await c.until((l) => !l.startsWith("*   "))).toBe("* tchau");
  });

  test("/lang switches one connection; each member reads notices in its own language", async () => {
    const server = serve();
    const ana = await join(server, "ana");
    ana.send("/lang pt");
    expect(await ana.next()).toBe("* idioma: português");
    const bob = await join(server, "bob");
    expect(await ana.next()).toBe("* bob entrou");
    bob.send("hello there");
    expect(await ana.next()).toBe("<bob> hello there");
    const carla = await join(server, "carla");
    expect(await bob.next()).toBe("* carla joined");
    expect(await ana.next()).toBe("* carla entrou");
    carla.send("/quit");
    expect(await bob.next()).toBe("* carla left");
    expect(await ana.next()).toBe("* carla saiu");
    ana.send("/msg bob oi");
    expect(await bob.next()).toBe("[private] <ana> oi");
    expect(await ana.next()).toBe("[privado para bob] oi");
    ana.send("/lang xx");
    expect(await ana.next()).toBe("! idioma desconhecido xx (use en ou pt)");
  });

  test("/lang works before the name, so a client can ask for its language first", async () => {
    const server = serve();
    const c = await arrive(server);
    c.send("/lang pt");
    expect(await c.next()).toBe("* idioma: português");
    c.send("/who");
    expect(await c.next()).toBe("! escolha um nome primeiro");
    c.send("zé");
    expect(await c.next()).toStartWith("* olá zé! ");
  });
});

describe("history", () => {
  test("a newcomer gets the last N lines, marked with their time; private lines never", async () => {
    const server = serve({ historyLines: 3 });
    const a = await join(server, "a");
    const b = await join(server, "b");
    a.send("one");
    a.send("two");
    b.send("/msg a a secret");
    b.send("/me waves");
    await a.until((l) => l === "* <b> waves");
    a.send("three");
    await b.until((l) => l === "<a> three");
    const late = await arrive(server);
    const lines = await welcomed(late, "late");
    const history = lines.filter((l) => l.startsWith("[history "));
    expect(history.map((l) => l.replace(/^\[history \d\d:\d\d\] /, ""))).toEqual([
      "<a> two",
      "* <b> waves",
      "<a> three",
    ]);
    expect(lines.join("\n")).not.toContain("secret");
    const now = new Date();
    const hhmm = `${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}`;
    expect(history[0]).toStartWith(`[history ${hhmm}] `);
  });

  test("--history 0 replays nothing", async () => {
    const server = serve({ historyLines: 0 });
    const a = await join(server, "a");
    a.send("said before");
    // The answer to /who comes once the server has handled the line before it.
    a.send("/who");
    await a.until((l) => l.startsWith("* online"));
    const late = await arrive(server);
    const lines = await welcomed(late, "late");
    expect(lines.some((l) => l.includes("said before"))).toBe(false);
  });
});

describe("operators", () => {
  test("/op with the right password makes an operator; without operators the room says so", async () => {
    const open = serve();
    const x = await join(open, "x");
    x.send("/op anything");
    expect(await x.next()).toBe("! this room has no operators");

    const server = serve({ opPassword: "sesame" });
    const a = await join(server, "a");
    a.send("/kick a");
    expect(await a.next()).toBe("! only operators can do that (see /op)");
    a.send("/op sesame");
    expect(await a.next()).toBe("* you are now an operator");
    a.send("/help");
    const help = await a.quiet(100);
    expect(help.join("\n")).toContain("/kick NAME [REASON]");
  });

  test("a wrong password's answer is held, longer each time; a right one from the same address is not", async () => {
    const server = serve({ opPassword: "sesame" });
    const a = await join(server, "a");
    let started = performance.now();
    a.send("/op nope");
    expect(await a.next()).toBe("! wrong password");
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    started = performance.now();
    a.send("/op nope again");
    expect(await a.next()).toBe("! wrong password");
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
    // A classmate behind the same address with the right password is answered at once:
    // its answer comes before a third wrong one's, sent first.
    const b = await join(server, "b");
    a.send("/op nope a third time");
    b.send("/op sesame");
    expect(await b.next(3000)).toBe("* you are now an operator");
    expect(a.buffered.filter((l) => l.startsWith("!"))).toEqual([]);
    expect(await a.until((l) => l.startsWith("!"), 3000)).toBe("! wrong password");
  });

  test("/kick removes a member; everyone, the member included, reads who did it and why", async () => {
    const server = serve({ opPassword: "sesame", announceMax: 1 });
    const op = await join(server, "teacher");
    const pupil = await join(server, "pupil");
    const other = await join(server, "other");
    op.send("/op sesame");
    expect(await op.next()).toBe("* you are now an operator");
    op.send("/kick pupil stop spamming");
    // Announced although the room is past --announce-max: a kick is news for everyone.
    const notice = "* pupil was kicked by teacher (stop spamming)";
    expect(await op.next()).toBe(notice);
    expect(await other.next()).toBe(notice);
    expect(await pupil.next()).toBe(notice);
    await pupil.closed;
    op.send("/kick nobody");
    expect(await op.next()).toBe("! no such user: nobody");
  });

  test("/ban removes a member and refuses its address until /unban", async () => {
    const server = serve({ opPassword: "sesame" });
    const op = await join(server, "teacher");
    // The pupil on another address of this machine (test clients are otherwise all 127.0.0.1).
    const pupil = await joinFrom(server.port, "pupil", "127.0.0.2");
    await op.until((l) => l === "* pupil joined");
    op.send("/op sesame");
    await op.until((l) => l === "* you are now an operator");
    op.send("/ban pupil");
    expect(await op.next()).toBe("* pupil was banned by teacher");
    expect(await pupil.until((l) => l.includes("banned"))).toBe("* pupil was banned by teacher");
    await pupil.closed;
    const again = await joinFrom(server.port, "pupil", "127.0.0.2", false);
    expect(await again.next()).toBe("! you are banned from this room");
    await again.closed;
    // Other addresses still come in.
    const other = await join(server, "other");
    other.send("/who");
    expect(await other.next()).toBe("* online (2): @teacher, other");
    op.send("/unban pupil");
    expect(await op.until((l) => l.startsWith("* pupil"))).toBe("* pupil may join again");
    const back = await joinFrom(server.port, "pupil", "127.0.0.2");
    back.send("/who");
    expect(await back.until((l) => l.startsWith("* online"))).toBe(
      "* online (3): @teacher, other, pupil",
    );
    op.send("/unban pupil");
    expect(await op.until((l) => l.startsWith("!"))).toBe("! not banned: pupil");
  });

  test("an operator cannot ban a member on its own address (it would lock itself out)", async () => {
    const server = serve({ opPassword: "sesame" });
    const op = await join(server, "teacher");
    await join(server, "pupil");
    op.send("/op sesame");
    await op.until((l) => l === "* you are now an operator");
    op.send("/ban pupil");
    expect(await op.next()).toBe(
      "! pupil connects from your own address: a ban would shut you out too (use /kick)",
    );
  });

  test("a newcomer's history replay stays within part of its cap, newest lines kept", async () => {
    const server = serve({ historyLines: 100, maxQueueBytes: 64 * 1024 });
    const a = await join(server, "a");
    const long = "h".repeat(3000);
    for (let i = 0; i < 60; i++) a.send(`${i} ${long}`);
    // The answer to /who comes once the server has handled every line before it.
    a.send("/who");
    await a.until((l) => l.startsWith("* online"));
    const late = await arrive(server);
    const lines = await welcomed(late, "late");
    const history = lines.filter((l) => l.startsWith("[history "));
    // 60 lines of 3 KB would be 180 KB against a 64 KiB cap: only the newest fit in half of it.
    expect(history.length).toBeGreaterThan(5);
    expect(history.length).toBeLessThan(12);
    expect(history.at(-1)).toEndWith(`<a> 59 ${long}`);
    expect(late.isClosed()).toBe(false);
  });

  test("/topic: anyone reads it, only operators set it, newcomers see it after the welcome", async () => {
    const server = serve({ opPassword: "sesame" });
    const op = await join(server, "teacher");
    const pupil = await join(server, "pupil");
    pupil.send("/topic");
    expect(await pupil.next()).toBe("* no topic is set");
    pupil.send("/topic party");
    expect(await pupil.next()).toBe("! only operators can do that (see /op)");
    op.send("/op sesame");
    await op.until((l) => l === "* you are now an operator");
    op.send("/topic fractions, chapter 3");
    expect(await pupil.next()).toBe("* teacher set the topic: fractions, chapter 3");
    expect(await op.next()).toBe("* teacher set the topic: fractions, chapter 3");
    const late = await arrive(server);
    const lines = await welcomed(late, "late");
    expect(lines[2]).toBe("* topic: fractions, chapter 3");
  });
});

describe("the door", () => {
  test("a room password comes before the name; a wrong one is refused without a hint", async () => {
    const server = serve({ roomPassword: "class-7b" });
    const c = await connect(server.port);
    expect(await c.next()).toBe(
      "* welcome to papo! this room speaks English and has a password: send it first, then your name",
    );
    c.send("ana");
    expect(await c.next()).toBe("! wrong password");
    c.send("class-7b");
    expect(await c.next(3000)).toBe("* password accepted. what is your name?");
    c.send("ana");
    expect(await c.next()).toStartWith("* hello ana! ");
  });

  test("one address may hold at most --max-per-address connections", async () => {
    const server = serve({ maxPerAddress: 2 });
    const first = await arrive(server);
    await arrive(server);
    const third = await connect(server.port);
    expect(await third.next()).toBe("! too many connections from your address");
    await third.closed;
    first.reset();
    await eventually(() => server.connectionCount() === 1);
    const fourth = await connect(server.port);
    expect(await fourth.next()).toStartWith("* welcome to papo!");
  });

  test("a name needs a letter or digit", async () => {
    const server = serve();
    const c = await arrive(server);
    c.send("-");
    expect(await c.next()).toBe("! invalid name: a name needs at least one letter or digit");
    c.send("...");
    expect(await c.next()).toBe("! invalid name: a name needs at least one letter or digit");
  });
});
