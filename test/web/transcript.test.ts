/**
 * The operators' transcript on the page: which paths the page follows
 * (pure), and in headless Chromium the button an operator gets, the
 * download it starts, and no button for anyone else.
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
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ticketPath } from "../../src/web/transcript.ts";
import { enter, Pages, say, seen } from "../support/page.ts";
import { join as joinAs, serve } from "../support/server.ts";

setDefaultTimeout(15_000);

describe("ticketPath", () => {
  test("only a ticket's path, as the server gives it", () => {
    const ticket = "AbC_-0123456789abcdefghijklmnopq";
    expect(ticketPath(JSON.stringify([`/transcript?t=${ticket}`, 60]))).toBe(
      `/transcript?t=${ticket}`,
    );
    for (const args of [
      undefined,
      "not json",
      "{}",
      "[]",
      JSON.stringify([`https://elsewhere.example/transcript?t=${ticket}`]),
      JSON.stringify([`//elsewhere.example/transcript?t=${ticket}`]),
      JSON.stringify([`/transcript?t=${ticket}&x=1`]),
      JSON.stringify(["/transcript?t=short"]),
      JSON.stringify([`javascript:alert(1)//transcript?t=${ticket}`]),
    ]) {
      expect(ticketPath(args)).toBeNull();
    }
  });
});

describe("the transcript button", () => {
  const pages = new Pages();
  const dirs: string[] = [];
  beforeAll(() => pages.launch());
  afterAll(() => pages.close());
  afterEach(async () => {
    await pages.closeContexts();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  test("an operator's page downloads the room's transcript; nobody else has the button", async () => {
    const dir = mkdtempSync(join(tmpdir(), "papo-page-transcript-"));
    dirs.push(dir);
    const server = serve({ dataDir: dir, web: true, webPort: 0, opPassword: "sesame" });
    const bob = await joinAs(server, "bob");
    const { page, errors } = await pages.open(server);
    await enter(page, "ana");
    await bob.until((l) => l === "* ana joined");
    bob.send("<img src=x> & hello");
    await seen(page, "<bob> <img src=x> & hello");
    expect(await page.isVisible("#transcript")).toBe(false);

    await say(page, "/op sesame");
    await seen(page, "* you are now an operator");
    await page.locator("#transcript").waitFor({ state: "visible" });
    expect(await page.textContent("#transcript")).toBe("Transcript");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#transcript"),
    ]);
    expect(download.suggestedFilename()).toMatch(/^papo-papo-\d{4}-\d{2}-\d{2}\.html$/);
    const saved = readFileSync(await download.path(), "utf8");
    expect(saved).toContain("&lt;img src=x&gt; &amp; hello");
    expect(saved).not.toContain("<img");
    await seen(page, "* the room's transcript is downloading (one page, to keep or print)");
    expect(errors).toEqual([]);

    // A member's page never shows it.
    const other = await pages.open(server);
    await enter(other.page, "cid");
    await seen(other.page, "* hello cid! 3 online: bob, ana, cid (type /help for commands)");
    expect(await other.page.isVisible("#transcript")).toBe(false);
  });
});
