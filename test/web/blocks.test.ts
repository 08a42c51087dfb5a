/**
 * Code blocks on the page (issue 19), in headless Chromium next to TCP
 * members: the message box is a text area (Enter sends, Shift+Enter breaks
 * the line, a paste keeps its lines, a typed ``` opens a block the next one
 * closes); blocks said, received and replayed from history show as one
 * monospace block with their indentation and blank lines; a refused block
 * comes back to the box; a mention inside one counts.
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
import { enter, Pages, seen } from "../support/page.ts";
import { join, serve } from "../support/server.ts";

setDefaultTimeout(20_000);

const pages = new Pages();
beforeAll(() => pages.launch());
afterAll(() => pages.close());
afterEach(() => pages.closeContexts());

const web = (overrides: Partial<ServerConfig> = {}) =>
  serve({ web: true, webPort: 0, ...overrides });

const CODE = ["def f(x):", "    if x:", "", "        return x + 1", "    return 0"];

/** The blocks on the page: each one's class, who said it, and its text as shown. */
async function blocks(page: Page): Promise<{ kind: string; who: string; text: string }[]> {
  return page.$$eval("#log li.block", (items) =>
    items.map((li) => ({
      kind: li.classList.contains("history") ? "history" : "chat",
      who: li.querySelector(".who")?.textContent ?? "",
      text: li.querySelector("pre.code > code")?.textContent ?? "",
    })),
  );
}

/** Wait until the page shows `n` blocks. */
async function blocksShown(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (count) => document.querySelectorAll("#log li.block").length >= count,
    n,
  );
}

const boxValue = (page: Page) => page.inputValue("#input");

describe("blocks on the page", () => {
  test("Shift+Enter breaks the line, Enter sends the lines as one block", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page, errors } = await pages.open(server);
    await enter(page, "bia");
    await ana.until((l) => l === "* bia joined");
    for (const [i, line] of CODE.entries()) {
      if (i > 0) await page.keyboard.press("Shift+Enter");
      // The editor's own indentation, typed as spaces.
      await page.keyboard.type(line);
    }
    const tall = await page.$eval("#input", (el) => el.getBoundingClientRect().height);
    expect(tall).toBeGreaterThan(80);
    await page.keyboard.press("Enter");
    for (const line of CODE)
      expect(await ana.next()).toBe(line === "" ? "<bia> |" : `<bia> | ${line}`);
    expect(await boxValue(page)).toBe("");
    // The box is one line high again.
    const short = await page.$eval("#input", (el) => el.getBoundingClientRect().height);
    expect(short).toBeLessThan(60);
    await blocksShown(page, 1);
    expect(await blocks(page)).toEqual([{ kind: "chat", who: "<bia>", text: CODE.join("\n") }]);
    // Monospace, and the blank line and the indentation kept as they are.
    const font = await page.$eval("#log pre.code", (el) => getComputedStyle(el).fontFamily);
    expect(font).toContain("monospace");
    expect(errors).toEqual([]);
  });

  test("a typed ``` opens a block (Enter breaks the line) and the next one closes and sends it", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page } = await pages.open(server);
    await enter(page, "bia");
    await ana.until((l) => l === "* bia joined");
    for (const line of ["```python", "for i in range(3):", "    print(i)", "```"]) {
      await page.keyboard.type(line);
      await page.keyboard.press("Enter");
    }
    expect(await ana.next()).toBe("<bia> | for i in range(3):");
    expect(await ana.next()).toBe("<bia> |     print(i)");
    expect(await boxValue(page)).toBe("");
  });

  test("a typed line that reads as a block's header is sent as text", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page } = await pages.open(server);
    await enter(page, "bia");
    await ana.until((l) => l === "* bia joined");
    for (const line of ["@block=2", "one", "two"]) {
      await page.keyboard.type(line);
      await page.keyboard.press("Enter");
    }
    expect(await ana.next()).toBe("<bia> @block=2");
    expect(await ana.next()).toBe("<bia> one");
    expect(await ana.next()).toBe("<bia> two");
  });

  test("a paste keeps its lines; one line pasted is a message", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page } = await pages.open(server);
    await enter(page, "bia");
    await ana.until((l) => l === "* bia joined");
    await page.keyboard.insertText("a | b\n--+--\n1 | 2\n");
    expect(await boxValue(page)).toBe("a | b\n--+--\n1 | 2\n");
    await page.keyboard.press("Enter");
    expect(await ana.next()).toBe("<bia> | a | b");
    expect(await ana.next()).toBe("<bia> | --+--");
    expect(await ana.next()).toBe("<bia> | 1 | 2");
    await page.keyboard.insertText("just this\n");
    await page.keyboard.press("Enter");
    expect(await ana.next()).toBe("<bia> just this");
  });

  test("received and replayed from history, a block shows the same; a mention in it counts", async () => {
    const server = web({ historyLines: 10 });
    const ana = await join(server, "ana");
    const rui = await join(server, "rui");
    for (const line of ["```", "x = 1", "", "  y = 2", "```"]) ana.send(line);
    // In the room's log once another member has read it.
    await rui.until((l) => l === "<ana> |   y = 2");
    const { page } = await pages.open(server);
    await enter(page, "bia");
    await blocksShown(page, 1);
    for (const line of ["```", "# bia: look here", "\tz = 3", "```"]) ana.send(line);
    await blocksShown(page, 2);
    expect(await blocks(page)).toEqual([
      { kind: "history", who: "<ana>", text: "x = 1\n\n  y = 2" },
      { kind: "chat", who: "<ana>", text: "# bia: look here\n\tz = 3" },
    ]);
    const mentioned = await page.$$eval("#log li.block", (items) =>
      items.map((li) => li.classList.contains("mention")),
    );
    expect(mentioned).toEqual([false, true]);
    // Text only: a block's lines are never read as HTML.
    ana.send("```");
    ana.send("<img src=x onerror=alert(1)>");
    ana.send("<b>not bold</b>");
    ana.send("```");
    await blocksShown(page, 3);
    expect(await page.$$eval("#log pre img, #log pre b", (els) => els.length)).toBe(0);
  });

  test("a muted member's block comes back to the box, lines and all", async () => {
    const server = web({ opPassword: "sesame" });
    const prof = await join(server, "prof");
    prof.send("/op sesame");
    await prof.until((l) => l.includes("operator"));
    const { page } = await pages.open(server);
    await enter(page, "bia");
    await prof.until((l) => l === "* bia joined");
    prof.send("/mute bia");
    await seen(page, "* prof muted bia");
    await page.keyboard.insertText("one\n  two");
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () => (document.getElementById("input") as HTMLTextAreaElement).value === "one\n  two",
    );
  });
});
