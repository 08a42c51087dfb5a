/** Protocol v1 over real sockets: every line shape from docs/protocol.md. */

import { describe, expect, test } from "bun:test";
import { parseTagged } from "../../src/protocol/tags.ts";
import { connect } from "../support/lineclient.ts";
import { arrive, eventually, join, serve } from "../support/server.ts";

describe("joining", () => {
  test("greets, asks for a name, welcomes with the count and names, tells the others", async () => {
    const server = serve();
    const c = await connect(server.port);
    expect(await c.next()).toBe("* welcome to papo! this room speaks English. what is your name?");
    c.send("ana");
    expect(await c.next()).toBe("* hello ana! 1 online: ana (type /help for commands)");
    // The limits, so a client can check a line before sending it.
    expect(await c.next()).toBe(
      "* limits: a line can be up to 4096 characters long (accented letters and emoji count as two or more); send as many lines as you like",
    );
    const bob = await arrive(server);
    bob.send("bob");
    expect(await bob.next()).toBe("* hello bob! 2 online: ana, bob (type /help for commands)");
    expect(await c.next()).toBe("* bob joined");
    c.end();
  });

  test("empty lines before the name are ignored; invalid and taken names are refused with a reason", async () => {
    const server = serve();
    await join(server, "Ana");
    const c = await arrive(server);
    c.send("");
    c.send("   ");
    c.send("two words");
    expect(await c.next()).toBe("! invalid name: use only letters, digits, _ - and . (no spaces)");
    c.send("x".repeat(25));
    expect(await c.next()).toBe("! invalid name: name is longer than 24 characters");
    c.send("ANA");
    expect(await c.next()).toBe("! name taken: ANA");
    c.send("Ana2");
    expect(await c.next()).toBe("* hello Ana2! 2 online: Ana, Ana2 (type /help for commands)");
  });

  test("a name that only looks like a member's is taken: Cyrillic \u0430na next to ana", async () => {
    const server = serve();
    await join(server, "ana");
    const c = await arrive(server);
    c.send("\u0430na");
    expect(await c.next()).toBe("! name taken: \u0430na");
    c.send("p\u0430ypal");
    expect(await c.next()).toBe(
      "* hello p\u0430ypal! 2 online: ana, p\u0430ypal (type /help for commands)",
    );
  });

  test("the welcome lists at most 20 names", async () => {
    const server = serve({ announceMax: 0 });
    for (let i = 0; i < 22; i++) await join(server, `u${i}`);
    const c = await arrive(server);
    c.send("last");
    const names = Array.from({ length: 20 }, (_, i) => `u${i}`).join(", ");
    expect(await c.next()).toBe(
      `* hello last! 23 online: ${names}, and 3 more (type /help for commands)`,
    );
  });

  test("join and leave notices stop once the room is larger than announce-max", async () => {
    const server = serve({ announceMax: 2 });
    const a = await join(server, "a");
    const b = await join(server, "b");
    expect(await a.next()).toBe("* b joined");
    const c = await join(server, "c");
    c.end();
    b.send("still here");
    expect(await a.next()).toBe("<b> still here");
    b.end();
    expect(await a.next()).toBe("* b left");
  });
});

describe("talking", () => {
  test("a line reaches everyone else as <name> text, with no echo", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    const c = await join(server, "c");
    await a.until((l) => l === "* c joined");
    await b.until((l) => l === "* c joined");
    a.send("olá, mundo 🎉");
    expect(await b.next()).toBe("<a> olá, mundo 🎉");
    expect(await c.next()).toBe("<a> olá, mundo 🎉");
    expect(await a.quiet()).toEqual([]);
  });

  test("blank lines are ignored and //text sends /text", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    a.send("");
    a.send(" \t ");
    a.send("//shrug");
    expect(await b.next()).toBe("<a> /shrug");
    expect(await b.quiet()).toEqual([]);
  });

  test("/me and /who", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    a.send("/me waves");
    expect(await b.next()).toBe("* <a> waves");
    a.send("/who");
    expect(await a.until((l) => l.startsWith("* online"))).toBe("* online (2): a, b");
  });

  test("/me cannot imitate a server notice", async () => {
    const server = serve();
    const imp = await join(server, "server");
    const b = await join(server, "b");
    imp.send("/me shutting down");
    imp.send("/me left");
    expect(await b.next()).toBe("* <server> shutting down");
    expect(await b.next()).toBe("* <server> left");
  });

  test("/who caps the list with 'and K more'", async () => {
    const server = serve({ announceMax: 0 });
    const first = await join(server, "n0");
    for (let i = 1; i < 53; i++) await join(server, `n${i}`);
    first.send("/who");
    const names = Array.from({ length: 50 }, (_, i) => `n${i}`).join(", ");
    expect(await first.next()).toBe(`* online (53): ${names}, and 3 more`);
  });

  test("/nick renames for everyone, with the same rules", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    await a.until((l) => l === "* b joined");
    a.send("/nick B");
    expect(await a.next()).toBe("! name taken: B");
    a.send("/nick bad name");
    expect(await a.next()).toBe("! invalid name: use only letters, digits, _ - and . (no spaces)");
    a.send("/nick Alice");
    expect(await a.next()).toBe("* a is now known as Alice");
    expect(await b.next()).toBe("* a is now known as Alice");
    a.send("hi");
    expect(await b.next()).toBe("<Alice> hi");
    // The old name is free again, the new one taken.
    const c = await arrive(server);
    c.send("alice");
    expect(await c.next()).toBe("! name taken: alice");
    c.send("a");
    expect(await c.next()).toStartWith("* hello a!");
  });

  test("/msg whispers to one user and confirms to the sender", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    const c = await join(server, "c");
    await a.until((l) => l === "* c joined");
    a.send("/msg B psst, secret");
    expect(await b.until((l) => l.startsWith("["))).toBe("[private] <a> psst, secret");
    expect(await a.next()).toBe("[private to b] psst, secret");
    a.send("/msg nobody hello");
    expect(await a.next()).toBe("! no such user: nobody");
    a.send("/msg b");
    expect(await a.next()).toBe("! usage: /msg NAME TEXT");
    expect(await c.quiet()).toEqual([]);
  });

  test("/msg finds a name however its accents are encoded (NFD typed, NFC joined)", async () => {
    const server = serve();
    const jose = await join(server, "Jos\u00e9");
    const b = await join(server, "b");
    b.send("/msg jose\u0301 ol\u00e1");
    expect(await jose.until((l) => l.startsWith("["))).toBe("[private] <b> ol\u00e1");
    expect(await b.next()).toBe("[private to Jos\u00e9] ol\u00e1");
  });

  test("/msg finds a member by a name that looks the same in another script", async () => {
    const server = serve();
    const paypal = await join(server, "paypal");
    const b = await join(server, "b");
    b.send("/msg p\u0430yp\u0430l hi");
    expect(await paypal.until((l) => l.startsWith("["))).toBe("[private] <b> hi");
    expect(await b.next()).toBe("[private to paypal] hi");
  });

  test("/help lists the commands; unknown commands say so", async () => {
    const server = serve();
    const a = await join(server, "a");
    a.send("/help");
    const help = [await a.next()];
    // Everyone's commands; in a room without operators, neither /op nor theirs.
    for (let i = 0; i < 9; i++) help.push(await a.next());
    expect(help[0]).toBe("* commands:");
    expect(help.join("\n")).not.toContain("/kick");
    expect(help.join("\n")).not.toContain("/op");
    expect(help.join("\n")).toContain("/msg NAME TEXT");
    expect(help.join("\n")).toContain("/topic                 show the topic");
    expect(help.every((l) => l.startsWith("* "))).toBe(true);
    a.send("/dance");
    expect(await a.next()).toBe("! unknown command /dance (try /help)");
  });

  test("/help says what each may do: a member reads the topic, an operator also sets it", async () => {
    const server = serve({ opPassword: "s3nha" });
    const a = await join(server, "a");
    const helpOf = async () => {
      a.send("/help");
      const lines = [await a.next()];
      // The last row is always the one for "//TEXT".
      while (!lines.at(-1)?.includes("//TEXT")) lines.push(await a.next());
      return lines.join("\n");
    };
    const member = await helpOf();
    expect(member).toContain("/topic                 show the topic\n");
    expect(member).toContain("/op PASSWORD");
    expect(member).not.toContain("/kick");
    a.send("/op s3nha");
    expect(await a.next()).toBe("* you are now an operator");
    const operator = await helpOf();
    expect(operator).toContain("/topic [TEXT]          show the topic, or set it");
    expect(operator).toContain("/kick NAME [REASON]");
  });
});

describe("leaving", () => {
  test("/quit says bye, closes, and tells the others with the reason", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    await a.until((l) => l === "* b joined");
    b.send("/quit off to lunch");
    expect(await b.next()).toBe("* bye");
    await b.closed;
    expect(await a.next()).toBe("* b left (off to lunch)");
    a.send("/quit");
    expect(await a.next()).toBe("* bye");
    await a.closed;
    await eventually(() => server.connectionCount() === 0);
  });

  test("lines after /quit in the same read are not relayed", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    await a.until((l) => l === "* b joined");
    b.write("last words\n/quit\nghost line\n");
    expect(await a.next()).toBe("<b> last words");
    expect(await a.next()).toBe("* b left");
    expect(await a.quiet()).toEqual([]);
  });

  test("closing the connection makes exactly one left notice", async () => {
    const server = serve();
    const a = await join(server, "a");
    const b = await join(server, "b");
    await a.until((l) => l === "* b joined");
    b.end();
    expect(await a.next()).toBe("* b left");
    expect(await a.quiet()).toEqual([]);
    await eventually(() => server.connectionCount() === 1);
  });
});

describe("half-closed connections", () => {
  test("a peer that stops sending (nc at end of input) still gets its replies, then is closed", async () => {
    const server = serve();
    const a = await join(server, "a");
    const c = await arrive(server);
    c.write("scripted\n/who\nbye all\n");
    c.socket.shutdown();
    expect(await c.next()).toStartWith("* hello scripted!");
    expect(await c.next()).toStartWith("* limits: ");
    expect(await c.next()).toBe("* online (2): a, scripted");
    await c.closed;
    expect(await a.next()).toBe("* scripted joined");
    expect(await a.next()).toBe("<scripted> bye all");
    expect(await a.next()).toBe("* scripted left");
    await eventually(() => server.connectionCount() === 1);
  });

  test("a papo client holding a resume token that half-closes without /quit is away, and resumes", async () => {
    const server = serve();
    const a = await join(server, "a");
    const c = await arrive(server);
    c.send("CAP papo/2");
    await c.next();
    c.send("ana");
    const welcome = parseTagged(await c.next());
    expect(welcome.tags.ev).toBe("welcome");
    // A cut socket may end with a FIN rather than a reset (a client killed; Bun's resetAndDestroy, now and then).
    c.socket.shutdown();
    await c.closed;
    expect(await a.next()).toBe("* ana joined");
    expect(await a.quiet()).toEqual([]);
    const back = await arrive(server);
    back.send("CAP papo/2");
    await back.next();
    back.send(`RESUME ${welcome.tags.token} ${welcome.tags.pos}`);
    const resumed = parseTagged(await back.next());
    expect(resumed.tags.ev).toBe("resumed");
    expect(resumed.text).toBe("* welcome back, ana");
    expect(await a.quiet()).toEqual([]);
  });

  test("a last line without a newline before the half-close is handled like any other", async () => {
    const server = serve();
    const a = await join(server, "a");
    const c = await arrive(server);
    // printf 'ana\nhello' | nc -N
    c.write("ana\nhello");
    c.socket.shutdown();
    expect(await c.next()).toStartWith("* hello ana!");
    await c.closed;
    expect(await a.next()).toBe("* ana joined");
    expect(await a.next()).toBe("<ana> hello");
    expect(await a.next()).toBe("* ana left");
  });
});
