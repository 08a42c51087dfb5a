/**
 * The page's language follows the room (issue 19), and the room's rules show
 * in the header, in headless Chromium: a browser that lists neither English
 * nor Portuguese takes the room's language without asking for one; /lang
 * switches the page's own words; slow mode and quiet mode stay in the header
 * while they hold.
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
import type { Page } from "playwright-core";
import type { ServerConfig } from "../../src/config.ts";
import { enter, Pages, say, seen } from "../support/page.ts";
import { arrive, serve } from "../support/server.ts";

setDefaultTimeout(20_000);

const pages = new Pages();
beforeAll(() => pages.launch());
afterAll(() => pages.close());
afterEach(() => pages.closeContexts());

const web = (overrides: Partial<ServerConfig> = {}) =>
  serve({ web: true, webPort: 0, ...overrides });

/** What the page sends on its WebSocket, frame by frame. */
function framesSent(page: Page): string[] {
  const sent: string[] = [];
  page.on("websocket", (ws) => ws.on("framesent", (f) => sent.push(String(f.payload))));
  return sent;
}

/** Wait for the header's modes to read `text` ("" for hidden). */
async function modesRead(page: Page, text: string): Promise<void> {
  await page.waitForFunction((want) => {
    const modes = document.getElementById("modes") as HTMLElement;
    return want === "" ? modes.hidden : !modes.hidden && modes.textContent?.endsWith(want);
  }, text);
}

describe("the page's language", () => {
  test("a browser in French in a Portuguese room: the room's language, not asked for", async () => {
    const server = web({ lang: "pt" });
    const { page, errors } = await pages.open(server, { locale: "fr-FR" });
    const sent = framesSent(page);
    await page.locator("#door-input").waitFor({ state: "visible" });
    expect(await page.textContent("#door-title")).toBe("Qual é o seu nome?");
    await enter(page, "bia");
    await seen(page, "* olá bia! 1 na sala: bia (digite /help para ver os comandos)");
    expect(await page.getAttribute("html", "lang")).toBe("pt-BR");
    expect(await page.textContent("#send")).toBe("Enviar");
    expect(sent.filter((f) => f.startsWith("/lang"))).toEqual([]);
    // /lang en: the server's lines and the page's own words in English from then on.
    await say(page, "/lang en");
    await seen(page, "* language: English");
    await page.waitForFunction(() => document.getElementById("send")?.textContent === "Send");
    expect(await page.getAttribute("#input", "placeholder")).toBe("Message, or /help for commands");
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await page.textContent("#members-toggle")).toBe("In the room (1)");
    expect(errors).toEqual([]);
  });

  test("a browser in English in a Portuguese room asks for English, and the answer is not shown", async () => {
    const server = web({ lang: "pt" });
    const { page } = await pages.open(server, { locale: "en-GB" });
    const sent = framesSent(page);
    await enter(page, "bia");
    await seen(page, "* hello bia! 1 online: bia (type /help for commands)");
    expect(sent).toContain("/lang en");
    expect(await page.textContent("#send")).toBe("Send");
  });
});

describe("the room's rules in the header", () => {
  test("slow mode and quiet mode, on and off, in the page's language", async () => {
    const server = web({ lang: "pt", opPassword: "sesame" });
    // A member of a Portuguese room: its welcome is "olá".
    const prof = await arrive(server);
    prof.send("prof");
    await prof.until((l) => l.startsWith("* olá prof!"));
    prof.send("/op sesame");
    await prof.until((l) => l.includes("operador"));
    const { page } = await pages.open(server, { locale: "pt-BR" });
    await enter(page, "bia");
    await prof.until((l) => l.includes("bia"));
    expect(await page.isVisible("#modes")).toBe(false);
    prof.send("/slow 10");
    await modesRead(page, "modo lento: 10 s");
    prof.send("/quiet");
    await modesRead(page, "modo lento: 10 s · silêncio: só operadores");
    expect(await page.textContent("#modes-label")).toBe("Regras da sala: ");
    prof.send("/slow 0");
    await modesRead(page, "silêncio: só operadores");
    await say(page, "/lang en");
    await modesRead(page, "quiet: operators only");
    prof.send("/quiet off");
    await modesRead(page, "");
  });
});
