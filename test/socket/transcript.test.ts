/**
 * An operator's transcript over the web server: /transcript on the
 * operator's own connection gives a one-time path, GET serves the room's
 * HTML transcript for it once, and nothing else gets it (a spent, wrong or
 * expired ticket, a member who is no operator, a room that keeps nothing).
 */

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { read } from "../../src/client/core/meaning.ts";
import { TICKETS, Tickets } from "../../src/server/session/context.ts";
import { ticketPath } from "../../src/web/transcript.ts";
import { arrive, join as joinAs, serve } from "../support/server.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "papo-transcript-"));
  dirs.push(dir);
  return dir;
}

const PATH = /\/transcript\?t=[A-Za-z0-9_-]+/;

describe("GET /transcript", () => {
  test("an operator's ticket serves the room's HTML transcript once", async () => {
    const server = serve({ dataDir: folder(), web: true, webPort: 0, opPassword: "sesame" });
    const base = `http://127.0.0.1:${server.web?.port}`;
    const ana = await joinAs(server, "ana", "websocket");
    const bob = await joinAs(server, "bob");
    await ana.until((l) => l === "* bob joined");
    bob.send("is <script>alert(1)</script> & this kept?");
    expect(await ana.next()).toBe("<bob> is <script>alert(1)</script> & this kept?");
    ana.send("/op sesame");
    expect(await ana.next()).toBe("* you are now an operator");
    ana.send("/transcript");
    const reply = await ana.next();
    expect(reply).toMatch(
      /^\* the room's transcript is at \/transcript\?t=[A-Za-z0-9_-]{32} on this room's web page, once, for 60 s \(on the server, the export command writes it too\)$/,
    );
    const path = PATH.exec(reply)?.[0] ?? "";

    // Only GET takes it: anything else leaves it for the GET.
    expect((await fetch(`${base}${path}`, { method: "POST" })).status).toBe(405);
    const first = await fetch(`${base}${path}`);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.headers.get("content-disposition")).toMatch(
      /^attachment; filename="papo-papo-\d{4}-\d{2}-\d{2}\.html"$/,
    );
    expect(first.headers.get("content-security-policy")).toStartWith("default-src 'none'");
    const page = await first.text();
    expect(page).toContain("is &lt;script&gt;alert(1)&lt;/script&gt; &amp; this kept?");
    expect(page).toContain("* bob joined");
    expect(page).not.toContain("<script");

    expect((await fetch(`${base}${path}`)).status).toBe(404);
    expect((await fetch(`${base}/transcript?t=${"A".repeat(32)}`)).status).toBe(404);
    expect((await fetch(`${base}/transcript`)).status).toBe(404);
  });

  test("a member who is no operator is refused, and gets no ticket", async () => {
    const server = serve({ dataDir: folder(), web: true, webPort: 0, opPassword: "sesame" });
    const bob = await joinAs(server, "bob", "websocket");
    bob.send("/transcript");
    expect(await bob.next()).toBe("! only operators can do that (see /op)");
    const none = await joinAs(serve({ dataDir: folder(), web: true, webPort: 0 }), "cid");
    none.send("/transcript");
    expect(await none.next()).toBe("! this room has no operators");
  });

  test("version 2: the path is the reply's first argument, as the page reads it", async () => {
    const server = serve({ dataDir: folder(), web: true, webPort: 0, opPassword: "sesame" });
    const ana = await arrive(server, "websocket");
    ana.send("CAP papo/2");
    await ana.until((l) => l.endsWith("CAP ACK papo/2"));
    ana.send("ana");
    await ana.until((l) => l.includes("ev=limits"));
    ana.send("/op sesame");
    await ana.until((l) => l.includes("ev=nowOperator"));
    ana.send("/transcript");
    const line = read(await ana.next());
    expect(line.kind).toBe("reply");
    expect(line.tags.ev).toBe("transcriptReady");
    const path = ticketPath(line.tags.args);
    expect(path).toMatch(PATH);
    expect(JSON.parse(line.tags.args ?? "")[1]).toBe(TICKETS.lifeMs / 1000);
    const page = await fetch(`http://127.0.0.1:${server.web?.port}${path}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("* ana joined");
  });

  test("in Portuguese", async () => {
    const server = serve({ dataDir: folder(), web: true, webPort: 0, opPassword: "sesame" });
    const ana = await joinAs(server, "ana", "websocket");
    ana.send("/lang pt");
    await ana.next();
    ana.send("/op sesame");
    expect(await ana.next()).toBe("* agora você tem poderes de operador");
    ana.send("/transcript");
    expect(await ana.next()).toMatch(
      /^\* a transcrição da sala está em \/transcript\?t=\S+ na página web desta sala, uma vez, por 60 s/,
    );
  });

  test("without the web client the operator is told the command; a room that keeps nothing says so", async () => {
    const dir = folder();
    const stored = serve({ dataDir: dir, opPassword: "sesame" });
    const ana = await joinAs(stored, "ana");
    ana.send("/op sesame");
    await ana.next();
    ana.send("/transcript");
    expect(await ana.next()).toBe(
      `* the room's transcript: run bun run export --room papo --data '${dir}' on the server's machine`,
    );

    const memory = serve({ web: true, webPort: 0, opPassword: "sesame" });
    const bia = await joinAs(memory, "bia");
    bia.send("/op sesame");
    await bia.next();
    bia.send("/transcript");
    expect(await bia.next()).toBe(
      "! this room keeps no record to make a transcript of (--no-store)",
    );
    expect((await fetch(`http://127.0.0.1:${memory.web?.port}/transcript?t=x`)).status).toBe(404);
  });
});

describe("Tickets", () => {
  test("a ticket is good once, for its life", () => {
    let now = 1_000;
    const tickets = new Tickets(() => now);
    const a = tickets.give();
    const b = tickets.give();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a).not.toBe(b);
    expect(tickets.take(a)).toBe(true);
    expect(tickets.take(a)).toBe(false);
    now += TICKETS.lifeMs;
    expect(tickets.take(b)).toBe(false);
    expect(tickets.take("")).toBe(false);
  });

  test("at most TICKETS.most wait: the oldest go first", () => {
    const tickets = new Tickets(() => 0);
    const given = Array.from({ length: TICKETS.most + 1 }, () => tickets.give());
    expect(tickets.take(given[0] as string)).toBe(false);
    expect(tickets.take(given[1] as string)).toBe(true);
    expect(tickets.take(given.at(-1) as string)).toBe(true);
  });
});
