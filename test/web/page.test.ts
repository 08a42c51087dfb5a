/**
 * The web client in a real browser (headless Chromium) next to TCP members
 * of the same room: joining, chat both ways, commands, private lines,
 * refusals, reconnecting, text shown as text, the Origin check, WSS, and a
 * screenshot under test-output/ for people to look at.
 */

import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  setDefaultTimeout,
  test,
} from "bun:test";
import { mkdirSync } from "node:fs";
import { join as joinPath } from "node:path";
import type { Page } from "playwright-core";
import type { ServerConfig } from "../../src/config.ts";
import { SERVER_DEFAULTS } from "../../src/config.ts";
import { startServer } from "../../src/server/server.ts";
import { makeCert } from "../support/cert.ts";
import {
  atDoor,
  enter,
  inputMasked,
  logLines,
  Pages,
  say,
  seen,
  seenTimes,
} from "../support/page.ts";
import { arrive, eventually, join, serve } from "../support/server.ts";

const OUTPUT = joinPath(import.meta.dir, "..", "..", "test-output");
const cert = makeCert();
// A browser test waits on a page, a server and a TCP member at once.
setDefaultTimeout(15_000);

const pages = new Pages();

beforeAll(() => pages.launch());
afterAll(() => pages.close());
afterEach(() => pages.closeContexts());
const open: Pages["open"] = (server, options) => pages.open(server, options);

const web = (overrides: Partial<ServerConfig> = {}) =>
  serve({ web: true, webPort: 0, ...overrides });

/** A TCP member of a room with a password: the password, then the name, then in. */
async function joinWith(server: Parameters<typeof join>[0], password: string, name: string) {
  const c = await arrive(server);
  c.send(password);
  await c.next(); // password accepted
  c.send(name);
  await c.until((l) => l.includes(` ${name}! `));
  await c.next(); // limits
  return c;
}

/** Through the door of a room with a password, as a person does. */
async function enterWith(page: Page, password: string, name: string): Promise<void> {
  await atDoor(page, "password");
  await page.fill("#door-input", password);
  await page.press("#door-input", "Enter");
  await atDoor(page, "name");
  await enter(page, name);
}

describe("the web client", () => {
  test("a browser member and a TCP member talk both ways; names, /who, /me, /nick", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page, errors } = await open(server);
    await enter(page, "bia");
    expect(await ana.next()).toBe("* bia joined");
    await seen(page, "* hello bia! 2 online: ana, bia (type /help for commands)");
    ana.send("hi bia, from the terminal");
    await seen(page, "<ana> hi bia, from the terminal");
    // A mention of our name is highlighted.
    expect(await page.locator("#log li.mention").count()).toBe(1);
    await say(page, "hello ana, from the browser");
    expect(await ana.next()).toBe("<bia> hello ana, from the browser");
    await say(page, "/me waves");
    expect(await ana.next()).toBe("* <bia> waves");
    await seen(page, "* bia waves");
    await say(page, "/who");
    await seen(page, "* online (2): ana, bia");
    expect(await page.$$eval("#member-list li", (l) => l.map((x) => x.textContent))).toEqual([
      "ana",
      "bia",
    ]);
    await say(page, "/nick beatriz");
    expect(await ana.next()).toBe("* bia is now known as beatriz");
    ana.send("/nick ana_");
    await seen(page, "* ana is now known as ana_");
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("#member-list li")].map((x) => x.textContent).join() ===
        "ana_,beatriz",
    );
    // Up brings the last line back.
    await page.press("#input", "ArrowUp");
    expect(await page.inputValue("#input")).toBe("/nick beatriz");
    expect(errors).toEqual([]);
  });

  test("private lines both ways, highlighted on the page", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page } = await open(server);
    await enter(page, "bia");
    await ana.next();
    ana.send("/msg bia just between us");
    await seen(page, "[private] <ana> just between us");
    expect(await page.locator("#log li.private-from").count()).toBe(1);
    await say(page, "/msg ana sure");
    expect(await ana.until((l) => l.startsWith("[private]"))).toBe("[private] <bia> sure");
    await seen(page, "[private to ana] sure");
  });

  test("a mention while the tab is hidden: a notification, and the count in the title", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page } = await open(server);
    await page.context().grantPermissions(["notifications"]);
    await enter(page, "bia");
    await ana.next();
    // Headless tabs are never hidden: pretend, and record what the page notifies.
    await page.evaluate(() => {
      Object.defineProperty(document, "hidden", { value: true, configurable: true });
      const shown: string[] = [];
      (window as unknown as { shown: string[] }).shown = shown;
      (window as unknown as { Notification: unknown }).Notification = class {
        static permission = "granted";
        constructor(title: string, options: { body: string }) {
          shown.push(`${title}: ${options.body}`);
        }
      };
    });
    ana.send("not for you");
    ana.send("bia, look");
    ana.send("/msg bia psst");
    await seen(page, "[private] <ana> psst");
    expect(await page.evaluate(() => (window as unknown as { shown: string[] }).shown)).toEqual([
      "ana on papo: bia, look",
      "ana on papo: psst",
    ]);
    expect(await page.title()).toBe("(2) papo");
  });

  test("a refused name is explained at the door, and the next one is let in", async () => {
    const server = web();
    await join(server, "ana");
    const { page } = await open(server);
    await page.locator("#door-input").waitFor({ state: "visible" });
    await page.fill("#door-input", "two words");
    await page.press("#door-input", "Enter");
    await page.waitForFunction(() => document.getElementById("door-error")?.textContent !== "");
    expect(await page.textContent("#door-error")).toBe(
      "invalid name: use only letters, digits, _ - and . (no spaces)",
    );
    await page.fill("#door-input", "ANA");
    await page.press("#door-input", "Enter");
    await page.waitForFunction(
      () => document.getElementById("door-error")?.textContent === "name taken: ANA",
    );
    expect(await page.isVisible("#door")).toBe(true);
    await enter(page, "bia");
  });

  test("a line over the room's limit is refused on the page and stays in the input", async () => {
    const server = web({ maxLineBytes: 100 });
    const ana = await join(server, "ana");
    const { page } = await open(server);
    await enter(page, "bia");
    await ana.next();
    const long = "é".repeat(60); // 120 bytes in UTF-8, 60 characters
    await say(page, long);
    await seen(page, "! too long to send: 120 bytes, the room takes up to 100");
    expect(await page.inputValue("#input")).toBe(long);
    // The next line ana hears is the short one: the long one was never sent.
    await say(page, "é".repeat(50));
    expect(await ana.next()).toBe(`<bia> ${"é".repeat(50)}`);
  });

  test("no name in time: the page does not knock again, and goes in once the name is typed", async () => {
    const server = web({ nameTimeoutMs: 500 });
    const ana = await join(server, "ana");
    const { page, errors } = await open(server);
    await atDoor(page, "name");
    // The server gives up on the page: only ana is left.
    await eventually(() => server.connectionCount() === 1, 5000);
    // Past the page's first reconnect wait. A knock that does not come has no
    // event to wait for: this wait is the test.
    await Bun.sleep(1500);
    expect(server.connectionCount()).toBe(1);
    // The person comes back and answers: the page connects again and gives it.
    expect(await page.isVisible("#door")).toBe(true);
    await enter(page, "bia");
    expect(await ana.next()).toBe("* bia joined");
    await seen(page, "* hello bia! 2 online: ana, bia (type /help for commands)");
    expect(errors).toEqual([]);
  });

  test("no password, then no name in time: each typed later gets the page in", async () => {
    const server = web({ roomPassword: "turma7b", nameTimeoutMs: 1000 });
    const ana = await joinWith(server, "turma7b", "ana");
    const { page, errors } = await open(server);
    await atDoor(page, "password");
    await eventually(() => server.connectionCount() === 1, 5000);
    // The password, typed after the server gave up: the page knocks again with it.
    await page.fill("#door-input", "turma7b");
    await page.press("#door-input", "Enter");
    await atDoor(page, "name");
    // And gives up again, at the name this time.
    await eventually(() => server.connectionCount() === 2, 5000);
    await eventually(() => server.connectionCount() === 1, 5000);
    // The name: the page knocks again, gives the password it was let in with, then the name.
    await enter(page, "bia");
    expect(await ana.next()).toBe("* bia joined");
    await seen(page, "* hello bia! 2 online: ana, bia (type /help for commands)");
    expect(errors).toEqual([]);
  });

  test("a kicked member's page ends there and does not come back", async () => {
    const server = web({ opPassword: "sesame" });
    const ana = await join(server, "ana");
    const { page } = await open(server);
    await enter(page, "bia");
    await ana.next();
    ana.send("/op sesame");
    await ana.until((l) => l === "* you are now an operator");
    ana.send("/kick bia");
    expect(await ana.next()).toBe("* bia was kicked by ana");
    await seen(page, "* bia was kicked by ana");
    await page.waitForFunction(
      () => document.getElementById("status")?.textContent === "Disconnected.",
    );
    // Past the first reconnect's wait: still out. A knock that does not come has
    // no event to wait for: this wait is the test.
    await Bun.sleep(1500);
    expect(server.connectionCount()).toBe(1);
    // The answer to /who is the next thing ana hears: bia did not come back in between.
    ana.send("/who");
    expect(await ana.next()).toBe("* online (1): @ana");
  });

  test("a wrong /op is answered in the log: no password box, and nothing typed after it goes to the room", async () => {
    const server = web({ roomPassword: "turma7b", opPassword: "s3nha", lang: "pt" });
    const ana = await joinWith(server, "turma7b", "ana");
    const { page } = await open(server, { locale: "pt-BR" });
    await enterWith(page, "turma7b", "bea");
    expect(await ana.next()).toBe("* bea entrou");
    await say(page, "/op chute");
    await seen(page, "! senha errada");
    expect(await page.isVisible("#door")).toBe(false);
    expect(await page.isEnabled("#input")).toBe(true);
    await say(page, "oi");
    // The next thing ana hears is bea's line: no password went to the room before it.
    expect(await ana.next()).toBe("<bea> oi");
  });

  test("a wrong /op in a room without a room password: no password box either", async () => {
    const server = web({ opPassword: "sesame" });
    const ana = await join(server, "ana");
    const { page } = await open(server);
    await enter(page, "bia");
    await ana.next();
    await say(page, "/op open");
    await seen(page, "! wrong password");
    expect(await page.isVisible("#door")).toBe(false);
    await say(page, "still here");
    expect(await ana.next()).toBe("<bia> still here");
  });

  test("the operator password is masked as it is typed, and never shown in the log or history", async () => {
    const server = web({ opPassword: "s3nha" });
    const ana = await join(server, "ana");
    const { page } = await open(server);
    await enter(page, "bia");
    await ana.next();
    await say(page, "hello");
    expect(await ana.next()).toBe("<bia> hello");
    await page.locator("#input").pressSequentially("/op s3");
    expect(await inputMasked(page)).toBe(true);
    // Up and back Down: the half-typed password comes back, still masked.
    await page.press("#input", "ArrowUp");
    expect(await page.inputValue("#input")).toBe("hello");
    expect(await inputMasked(page)).toBe(false);
    await page.press("#input", "ArrowDown");
    expect(await page.inputValue("#input")).toBe("/op s3");
    expect(await inputMasked(page)).toBe(true);
    await page.locator("#input").pressSequentially("nha");
    await page.press("#input", "Enter");
    await seen(page, "* you are now an operator");
    // Empty again, and an ordinary line is shown as typed.
    expect(await page.inputValue("#input")).toBe("");
    await page.locator("#input").pressSequentially("/ophelia");
    expect(await inputMasked(page)).toBe(false);
    await page.fill("#input", "");
    await page.press("#input", "ArrowUp");
    expect(await page.inputValue("#input")).toBe("hello");
    expect((await logLines(page)).some((l) => l.includes("s3nha"))).toBe(false);
    // Pasted whole, in capitals, it is masked too.
    await page.fill("#input", "/OP s3nha");
    expect(await inputMasked(page)).toBe(true);
  });

  test("HTML and escape sequences from a TCP member are shown as text; nothing runs", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page, dialogs, errors } = await open(server);
    await enter(page, "bia");
    await ana.next();
    const html = "<img src=x onerror=alert(1)><script>alert(2)</script><b>bold</b>";
    ana.send(html);
    ana.write("\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2J&amp; &lt;\n");
    await seen(page, `<ana> ${html}`);
    await seen(page, "<ana> red  &amp; &lt;");
    expect(await page.locator("#log img, #log script, #log b").count()).toBe(0);
    // A later line shown on the page: whatever the earlier ones set off came before.
    ana.send("marker");
    await seen(page, "<ana> marker");
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  test("a room password is asked for at the door, and a wrong one explained", async () => {
    const server = web({ roomPassword: "s3cret" });
    const { page } = await open(server);
    await page.locator("#door-input").waitFor({ state: "visible" });
    expect(await page.getAttribute("#door-input", "type")).toBe("password");
    await page.fill("#door-input", "wrong");
    await page.press("#door-input", "Enter");
    await page.waitForFunction(
      () => document.getElementById("door-error")?.textContent === "wrong password",
    );
    await page.fill("#door-input", "s3cret");
    await page.press("#door-input", "Enter");
    await page.waitForFunction(
      () => document.getElementById("door-input")?.getAttribute("type") === "text",
    );
    await enter(page, "bia");
    expect(
      await page.evaluate(
        () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
      ),
    ).toBe("{}{}");
    expect(await page.evaluate(() => document.cookie)).toBe("");
  });

  test("in Portuguese when the browser is: the page's words and the server's", async () => {
    const server = web();
    const { page } = await open(server, { locale: "pt-BR" });
    await page.locator("#door-input").waitFor({ state: "visible" });
    expect(await page.textContent("#door-title")).toBe("Qual é o seu nome?");
    await enter(page, "bia");
    await seen(page, "* olá bia! 1 na sala: bia (digite /help para ver os comandos)");
    expect(await page.getAttribute("#input", "placeholder")).toBe(
      "Mensagem, ou /help para os comandos",
    );
  });

  test("after a server restart on the same port it reconnects, rejoins, and keeps the half-typed line", async () => {
    const config = {
      ...SERVER_DEFAULTS,
      port: 0,
      web: true,
      webPort: 0,
      quiet: true,
      historyLines: 0,
      shutdownGraceMs: 200,
    };
    const first = startServer(config);
    const webPort = first.web?.port ?? 0;
    const { page } = await open(first);
    await enter(page, "bia");
    await page.fill("#input", "half a thou");
    await first.stop();
    await page.waitForFunction(() => document.getElementById("status")?.classList.contains("lost"));
    const second = startServer({ ...config, webPort });
    try {
      await page.waitForFunction(
        () => document.getElementById("status")?.textContent === "Connected",
        null,
        {
          timeout: 10_000,
        },
      );
      await eventually(() => second.connectionCount() === 1, 5000);
      await seen(page, "* hello bia! 1 online: bia (type /help for commands)");
      expect(await page.inputValue("#input")).toBe("half a thou");
    } finally {
      await second.stop();
    }
  }, 20_000);

  test("with a room password, after a server restart it gets back in with the password it was let in with", async () => {
    const config = {
      ...SERVER_DEFAULTS,
      port: 0,
      web: true,
      webPort: 0,
      quiet: true,
      historyLines: 0,
      shutdownGraceMs: 200,
      roomPassword: "turma7b",
      opPassword: "s3nha",
      lang: "pt" as const,
    };
    const first = startServer(config);
    const webPort = first.web?.port ?? 0;
    const { page } = await open(first, { locale: "pt-BR" });
    await atDoor(page, "password");
    await page.fill("#door-input", "errada");
    await page.press("#door-input", "Enter");
    await page.waitForFunction(
      () => document.getElementById("door-error")?.textContent === "senha errada",
    );
    await page.fill("#door-input", "turma7b");
    await page.press("#door-input", "Enter");
    await atDoor(page, "name");
    await enter(page, "bia");
    const welcome = "* olá bia! 1 na sala: bia (digite /help para ver os comandos)";
    await seen(page, welcome);
    // A wrong /op on the way is no reason to forget the room's password.
    await say(page, "/op chute");
    await seen(page, "! senha errada");
    await first.stop();
    await page.waitForFunction(() => document.getElementById("status")?.classList.contains("lost"));
    const second = startServer({ ...config, webPort });
    try {
      await seenTimes(page, welcome, 2, 10_000);
      expect(await page.isVisible("#door")).toBe(false);
      expect(
        await page.evaluate(
          () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
        ),
      ).toBe("{}{}");
    } finally {
      await second.stop();
    }
  }, 20_000);

  test("a WebSocket from a page of another origin is refused", async () => {
    const server = web();
    const other = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response("<p>elsewhere</p>", { headers: { "content-type": "text/html" } }),
    });
    try {
      const { page } = await open(server);
      await page.goto(`http://127.0.0.1:${other.port}/`);
      const outcome = await page.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(url);
            ws.onopen = () => resolve("open");
            ws.onerror = () => resolve("refused");
          }),
        `ws://127.0.0.1:${server.web?.port}/ws`,
      );
      expect(outcome).toBe("refused");
      expect(server.connectionCount()).toBe(0);
    } finally {
      other.stop(true);
    }
  });

  test("over TLS the page is HTTPS and its WebSocket WSS", async () => {
    const server = web({ tlsCert: cert.certPath, tlsKey: cert.keyPath });
    expect(server.web?.url).toStartWith("https://");
    const ana = await join(server, "ana");
    const { page, errors } = await open(server, { ignoreHTTPSErrors: true });
    await enter(page, "bia");
    expect(await ana.next()).toBe("* bia joined");
    expect(await page.evaluate(() => location.protocol)).toBe("https:");
    ana.send("encrypted both ways");
    await seen(page, "<ana> encrypted both ways");
    await say(page, "indeed");
    expect(await ana.next()).toBe("<bia> indeed");
    expect(errors).toEqual([]);
  });

  test("a screenshot of a lively room, kept in test-output/web.png", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page } = await open(server, { viewport: { width: 1100, height: 620 } });
    const rui = await join(server, "rui");
    await enter(page, "bia");
    await ana.until((l) => l === "* bia joined");
    await rui.until((l) => l === "* bia joined");
    ana.send("good morning! who's in for the 10:00 review?");
    await seen(page, "<ana> good morning! who's in for the 10:00 review?");
    rui.send("/me raises a hand");
    await seen(page, "* rui raises a hand");
    await say(page, "me too — I'll bring the notes");
    ana.send("bia, can you share the slides as well?");
    await seen(page, "<ana> bia, can you share the slides as well?");
    rui.send("/msg bia coffee after?");
    await seen(page, "[private] <rui> coffee after?");
    const carla = await join(server, "carla");
    carla.send("<b>not bold</b> and still safe");
    await seen(page, "<carla> <b>not bold</b> and still safe");
    await page.fill("#input", "sure, see you th");
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: joinPath(OUTPUT, "web.png") });
    const phone = await open(server, { viewport: { width: 390, height: 700 } });
    await enter(phone.page, "dani");
    carla.send("works on a phone too");
    await seen(phone.page, "<carla> works on a phone too");
    await phone.page.screenshot({ path: joinPath(OUTPUT, "web-phone.png") });
    // On a phone the member list is behind a button.
    expect(await phone.page.isVisible("#member-list")).toBe(false);
    expect(await phone.page.textContent("#members-toggle")).toBe("In the room (5)");
    await phone.page.click("#members-toggle");
    expect(await phone.page.isVisible("#member-list")).toBe(true);
  }, 15_000);
});
