/**
 * The page as a first way in (issue 19), in headless Chromium: an axe-core
 * audit of the door (an operator password's too), the room, the help and
 * the phone layout in both themes; the whole flow with the keyboard alone; links, the topic in the
 * header, the "new messages" marker, Tab completion, the member list's
 * order, the invitation's QR code, a refused line given back, and what a
 * copied line reads.
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
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join as joinPath } from "node:path";
import type { Page } from "playwright-core";
import type { ServerConfig } from "../../src/config.ts";
import { CONTENT_SECURITY_POLICY } from "../../src/server/transport/http.ts";
import { atDoor, enter, Pages, say, seen } from "../support/page.ts";
import { join, serve } from "../support/server.ts";

setDefaultTimeout(20_000);

const AXE = readFileSync(
  joinPath(dirname(createRequire(import.meta.url).resolve("axe-core")), "axe.min.js"),
  "utf8",
);

const pages = new Pages();
beforeAll(() => pages.launch());
afterAll(() => pages.close());
afterEach(() => pages.closeContexts());

const web = (overrides: Partial<ServerConfig> = {}) =>
  serve({ web: true, webPort: 0, ...overrides });

const PHONE = { width: 390, height: 844 };

/** axe-core's violations on the page as it is now: "rule: target, ..." each. */
async function violations(page: Page): Promise<string[]> {
  // The page's CSP allows no inline script: the audit's context bypasses it (Pages.open).
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected into the page just above.
    const axe = (window as any).axe;
    const result = await axe.run(document, {
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
      },
    });
    return result.violations.map(
      (v: { id: string; nodes: { target: string[] }[] }) =>
        `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
  });
  return found as string[];
}

/** Every element's box inside the viewport's width: nothing sticks out sideways. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("header *, form *")]
      .filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
      })
      .map((el) => el.id || el.className || el.tagName);
  });
}

describe("the page, for everyone", () => {
  for (const scheme of ["light", "dark"] as const) {
    test(`axe finds no violation at the door, in the room, in /help and on a phone (${scheme})`, async () => {
      const server = web({ opPassword: "sesame" });
      const ana = await join(server, "ana");
      // An operator's room rules in the header, for the audit to see.
      ana.send("/op sesame");
      await ana.until((l) => l.includes("operator"));
      ana.send("/slow 5");
      await ana.until((l) => l.includes("slow mode on"));
      for (const viewport of [undefined, PHONE]) {
        const { page, errors } = await pages.open(server, {
          colorScheme: scheme,
          bypassCSP: true,
          ...(viewport === undefined ? {} : { viewport }),
        });
        await page.locator("#door-input").waitFor({ state: "visible" });
        expect(await violations(page)).toEqual([]);
        await enter(page, viewport === undefined ? `bia_${scheme}` : `dani_${scheme}`);
        ana.send("see https://example.org/notes, and <b>this</b>");
        await seen(page, "<@ana> see https://example.org/notes, and <b>this</b>");
        // A block, and the slow mode a newcomer is not told of yet: set again.
        for (const line of ["```", "def f(x):", "    return x", "```"]) ana.send(line);
        await page.locator("#log pre.code").first().waitFor();
        ana.send("/slow 5");
        await page.locator("#modes").waitFor({ state: "visible" });
        // Something typed over several lines in the box.
        await page.fill("#input", "one\ntwo\nthree");
        expect(await violations(page)).toEqual([]);
        await page.fill("#input", "");
        await page.click("#help");
        await page.locator("#log li.help-row").first().waitFor();
        expect(await violations(page)).toEqual([]);
        await page.click("#invite");
        await page.locator("#invite-dialog .address").filter({ hasText: "http" }).waitFor();
        expect(await violations(page)).toEqual([]);
        await page.keyboard.press("Escape");
        expect(errors).toEqual([]);
      }
    });
  }

  test("axe finds no violation at the door asking a kept name's operator password", async () => {
    const server = web({ opNames: "prof", opPassword: "s3nha" });
    for (const scheme of ["light", "dark"] as const) {
      const { page, errors } = await pages.open(server, { colorScheme: scheme, bypassCSP: true });
      await atDoor(page, "name");
      await page.fill("#door-input", "prof");
      await page.press("#door-input", "Enter");
      await atDoor(page, "operator");
      expect(await violations(page)).toEqual([]);
      // A wrong one: the name offered again, with the refusal under it.
      await page.fill("#door-input", "chute");
      await page.press("#door-input", "Enter");
      await atDoor(page, "name");
      expect(await violations(page)).toEqual([]);
      expect(errors).toEqual([]);
    }
  });

  test("on a phone (390×844) nothing sticks out: lost connection, /help, the placeholder", async () => {
    const server = web();
    const { page } = await pages.open(server, { viewport: PHONE, locale: "pt-BR" });
    await enter(page, "bia");
    await page.click("#help");
    await page.locator("#log li.help-row").first().waitFor();
    // Each /help row's usage sits on one line, its meaning below, not wrapped mid-column.
    const usages = await page.$$eval("#log li.help-row code", (codes) =>
      codes.map((c) => c.getClientRects().length),
    );
    expect(usages.every((n) => n === 1)).toBe(true);
    // The placeholder fits its box.
    const fits = await page.$eval("#input", (el) => {
      const input = el as HTMLTextAreaElement;
      const probe = document.createElement("span");
      const style = getComputedStyle(input, "::placeholder");
      probe.style.fontFamily = style.fontFamily;
      probe.style.fontSize = style.fontSize;
      probe.style.whiteSpace = "pre";
      probe.style.position = "absolute";
      probe.textContent = input.placeholder;
      document.body.append(probe);
      const width = probe.getBoundingClientRect().width;
      probe.remove();
      const inner = input.clientWidth - parseFloat(getComputedStyle(input).paddingLeft) * 2;
      return [width, inner];
    });
    expect(fits[0]).toBeLessThanOrEqual(fits[1] as number);
    await server.stop();
    await page.locator("#reconnect").waitFor({ state: "visible" });
    expect(await page.textContent("#reconnect")).toBe("Reconectar agora");
    expect(await overflowing(page)).toEqual([]);
    await page.screenshot({
      path: joinPath(import.meta.dir, "..", "..", "test-output", "web-phone-lost.png"),
    });
  });

  test("the whole flow with the keyboard alone: name, line, completion, a block, help, invite", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page, errors } = await pages.open(server);
    await page.locator("#door-input").waitFor({ state: "visible" });
    // The door has the focus as it opens: a name and Enter.
    await page.keyboard.type("bia");
    await page.keyboard.press("Enter");
    await page.locator("#door").waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("input");
    await page.keyboard.type("hello an");
    await page.keyboard.press("Tab");
    expect(await page.inputValue("#input")).toBe("hello ana ");
    await page.keyboard.press("Enter");
    expect(await ana.next()).toBe("* bia joined");
    expect(await ana.next()).toBe("<bia> hello ana ");
    // Shift+Enter breaks the line; Enter sends the two as one block.
    await page.keyboard.type("two");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("  lines");
    await page.keyboard.press("Enter");
    expect(await ana.next()).toBe("<bia> | two");
    expect(await ana.next()).toBe("<bia> |   lines");
    // An empty box: Tab leaves it (no keyboard trap), to the Send button.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("send");
    // Back, then round to the header's buttons: the invitation, opened and closed.
    await page.keyboard.press("Shift+Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("input");
    const visited: string[] = [];
    for (let i = 0; i < 10 && visited.at(-1) !== "invite"; i++) {
      await page.keyboard.press("Shift+Tab");
      visited.push(await page.evaluate(() => document.activeElement?.id ?? ""));
    }
    expect(visited.at(-1)).toBe("invite");
    await page.keyboard.press("Enter");
    await page.locator("#invite-dialog[open]").waitFor();
    await page.keyboard.press("Escape");
    await page.locator("#invite-dialog[open]").waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("invite");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("help");
    await page.keyboard.press("Enter");
    await page.locator("#log li.help-row").first().waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("input");
    expect(errors).toEqual([]);
  });

  test("new lines are announced politely, as additions only", async () => {
    const server = web();
    const { page } = await pages.open(server);
    await enter(page, "bia");
    const log = await page.$eval("#log-region", (el) => ({
      role: el.getAttribute("role"),
      live: el.getAttribute("aria-live"),
      relevant: el.getAttribute("aria-relevant"),
      atomic: el.getAttribute("aria-atomic"),
    }));
    expect(log).toEqual({ role: "log", live: "polite", relevant: "additions", atomic: "false" });
  });
});

describe("the room on the page", () => {
  test("links: http(s) only, a new tab, noopener noreferrer, built as elements", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page } = await pages.open(server);
    await enter(page, "bia");
    ana.send("read https://example.org/a?b=1. not javascript:alert(1) nor <a href=x>y</a>");
    await seen(
      page,
      "<ana> read https://example.org/a?b=1. not javascript:alert(1) nor <a href=x>y</a>",
    );
    const links = await page.$$eval("#log a", (as) =>
      as.map((a) => [
        a.getAttribute("href"),
        a.textContent,
        a.getAttribute("target"),
        a.getAttribute("rel"),
      ]),
    );
    expect(links).toEqual([
      ["https://example.org/a?b=1", "https://example.org/a?b=1", "_blank", "noopener noreferrer"],
    ]);
  });

  test("the topic shows in the header, and follows /topic", async () => {
    const server = web({ opPassword: "sesame" });
    const prof = await join(server, "prof");
    prof.send("/op sesame");
    await prof.until((l) => l.includes("operator"));
    prof.send("/topic exam review at 10");
    const { page } = await pages.open(server);
    await enter(page, "bia");
    await page.locator("#topic-text").filter({ hasText: "exam review at 10" }).waitFor();
    expect(await page.isVisible("#topic")).toBe(true);
    prof.send("/topic slides are up");
    await page.locator("#topic-text").filter({ hasText: "slides are up" }).waitFor();
  });

  test("a 'new messages' marker while scrolled up; it goes at the bottom", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page } = await pages.open(server, { viewport: { width: 800, height: 400 } });
    await enter(page, "bia");
    for (let i = 0; i < 30; i++) ana.send(`line ${i}`);
    await seen(page, "<ana> line 29");
    expect(await page.isVisible("#unread")).toBe(false);
    await page.$eval("#log", (el) => {
      el.scrollTop = 0;
    });
    ana.send("while you read");
    await seen(page, "<ana> while you read");
    await page.locator("#unread").waitFor({ state: "visible" });
    await page.click("#unread");
    await page.locator("#unread").waitFor({ state: "hidden" });
    expect(
      await page.$eval("#log", (el) => el.scrollHeight - el.scrollTop - el.clientHeight),
    ).toBeLessThan(40);
  });

  test("Tab completes commands and cycles names; past the last it moves on", async () => {
    const server = web();
    await join(server, "ana");
    await join(server, "anabel");
    const { page } = await pages.open(server);
    await enter(page, "bia");
    await page.fill("#input", "/wh");
    await page.press("#input", "Tab");
    expect(await page.inputValue("#input")).toBe("/who ");
    await page.fill("#input", "an");
    await page.press("#input", "Tab");
    expect(await page.inputValue("#input")).toBe("ana: ");
    await page.press("#input", "Tab");
    expect(await page.inputValue("#input")).toBe("anabel: ");
    await page.press("#input", "Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("send");
  });

  test("the member list sorts by the name as shown, in the page's language", async () => {
    const server = web();
    await join(server, "prof");
    await join(server, "maria");
    await join(server, "Zeca");
    const { page } = await pages.open(server, { locale: "pt-BR" });
    await enter(page, "Ana");
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("#member-list li")].map((x) => x.textContent).join() ===
        "Ana,maria,prof,Zeca",
    );
  });

  test("a line the server refuses comes back to the input", async () => {
    const server = web();
    const { page } = await pages.open(server);
    await enter(page, "bia");
    await say(page, "/msg nobody are you there?");
    await page.waitForFunction(
      () =>
        (document.getElementById("input") as HTMLTextAreaElement).value ===
        "/msg nobody are you there?",
    );
  });

  test("muted by an operator: the line said comes back to the input, not to the room", async () => {
    const server = web({ opPassword: "sesame" });
    const prof = await join(server, "prof");
    prof.send("/op sesame");
    await prof.until((l) => l.includes("operator"));
    const { page } = await pages.open(server);
    await enter(page, "bia");
    await prof.until((l) => l === "* bia joined");
    prof.send("/mute bia");
    await prof.until((l) => l.includes("bia"));
    await say(page, "can I speak?");
    await page.waitForFunction(
      () => (document.getElementById("input") as HTMLTextAreaElement).value === "can I speak?",
    );
  });

  test("a copied line keeps a space between the time and the name", async () => {
    const server = web();
    const ana = await join(server, "ana");
    const { page } = await pages.open(server);
    await enter(page, "bia");
    ana.send("copy me");
    await seen(page, "<ana> copy me");
    const copied = await page.$eval("#log li:last-child", (li) => {
      const range = document.createRange();
      range.selectNodeContents(li);
      const selection = getSelection() as Selection;
      selection.removeAllRanges();
      selection.addRange(range);
      return selection.toString();
    });
    expect(copied).toMatch(/^\d\d:\d\d <ana> copy me$/);
  });

  test("the invitation: a QR code served by papo within the CSP, and the address", async () => {
    const server = web();
    const { page, errors } = await pages.open(server);
    await enter(page, "bia");
    await page.click("#invite");
    const address = page.locator("#invite-dialog .address");
    await address.filter({ hasText: "http" }).waitFor();
    // The server listens on loopback here: the address is the page's own.
    expect(await address.textContent()).toBe(server.web?.url ?? "");
    await page.waitForFunction(() => {
      const img = document.querySelector("#invite-dialog img") as HTMLImageElement;
      return img.complete && img.naturalWidth > 0;
    });
    const response = await page.request.get(`${server.web?.url}invite.svg`);
    expect(response.headers()["content-type"]).toBe("image/svg+xml");
    expect(response.headers()["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toContain("data:");
    expect(errors).toEqual([]);
  });
});
