/**
 * The web client's page in headless Chromium, for browser tests: one browser
 * per test file, a fresh context per page, and the few things a test does on
 * the page as a person would (enter a name, say a line, read the log).
 */

import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Asks } from "../../src/web/door.ts";
import { launchBrowser } from "./browser.ts";

export interface Opened {
  page: Page;
  /** Dialogs (alert, confirm) the page opened: none may. */
  dialogs: string[];
  /** Console errors, CSP violations among them: none may. */
  errors: string[];
}

export interface OpenOptions {
  locale?: string;
  ignoreHTTPSErrors?: boolean;
  viewport?: { width: number; height: number };
  colorScheme?: "light" | "dark";
  /** Only for injecting axe-core's audit: the page's own CSP allows no script of ours. */
  bypassCSP?: boolean;
}

/** A browser and the contexts its tests opened (closed after each test). */
export class Pages {
  private browser: Browser | null = null;
  private readonly contexts: BrowserContext[] = [];

  async launch(): Promise<void> {
    this.browser = await launchBrowser();
  }

  async close(): Promise<void> {
    await this.browser?.close();
  }

  async closeContexts(): Promise<void> {
    await Promise.all(this.contexts.splice(0).map((c) => c.close()));
  }

  /** The server's page in a new context, with its dialogs and console errors recorded. */
  async open(
    server: { readonly web: { readonly url: string } | null },
    options: OpenOptions = {},
  ): Promise<Opened> {
    if (this.browser === null) throw new Error("launch() the browser first");
    const context = await this.browser.newContext({
      locale: options.locale ?? "en-US",
      ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false,
      viewport: options.viewport ?? { width: 1000, height: 640 },
      colorScheme: options.colorScheme ?? "light",
      bypassCSP: options.bypassCSP ?? false,
    });
    this.contexts.push(context);
    // A wait that fails says what it waited for, before the test's own timeout
    // (15 s) stops it without a word and takes the browser with it.
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.web?.url ?? "");
    return { page, dialogs, errors };
  }
}

/** Type a name at the door and wait to be in the room. */
export async function enter(page: Page, name: string): Promise<void> {
  await page.locator("#door-input").waitFor({ state: "visible" });
  await page.fill("#door-input", name);
  await page.press("#door-input", "Enter");
  await page.locator("#door").waitFor({ state: "hidden" });
}

/** Wait for the door to ask for a "name", a "password", or an "operator" password. */
export async function atDoor(page: Page, asks: Asks): Promise<void> {
  await page.waitForFunction((what) => {
    const input = document.getElementById("door-input");
    const door = document.getElementById("door");
    return door !== null && !door.hidden && input?.dataset.asks === what;
  }, asks);
}

/** Whether the message box hides what is in it (text shown as discs, or blurred where there are none). */
export async function inputMasked(page: Page): Promise<boolean> {
  return page.$eval("#input", (el) => {
    const style = getComputedStyle(el);
    const security = style.getPropertyValue("-webkit-text-security");
    return (security !== "" && security !== "none") || style.filter.startsWith("blur");
  });
}

export async function say(page: Page, line: string): Promise<void> {
  await page.fill("#input", line);
  await page.press("#input", "Enter");
}

/** Texts of the log's lines (the time and the space after it stripped), as a person reads them. */
export async function logLines(page: Page): Promise<string[]> {
  return page.$$eval("#log li", (items) =>
    items.map((li) =>
      [...li.childNodes]
        .slice(2)
        .map((n) => n.textContent)
        .join(""),
    ),
  );
}

export async function seen(page: Page, text: string, ms = 5000): Promise<void> {
  await seenTimes(page, text, 1, ms);
}

/** Wait until `text` is on the page at least `times` times (a second welcome, after a reconnect). */
export async function seenTimes(page: Page, text: string, times: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const lines = await logLines(page);
    if (lines.filter((l) => l === text).length >= times) return;
    if (Date.now() > deadline)
      throw new Error(`not on the page: ${text}\npage has:\n${lines.join("\n")}`);
    await Bun.sleep(20);
  }
}
