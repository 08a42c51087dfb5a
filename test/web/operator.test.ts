/**
 * The operator at the page's door, in headless Chromium: a name kept for
 * operators asks for the operator password in a password field (a wrong
 * one offers the name again), the page is made an operator, and after a
 * restart it claims the name again by itself; a page made an operator by
 * /op that comes back without it says so. The password-keeping itself is
 * operator.ts's, tested bare.
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
import { SERVER_DEFAULTS, type ServerConfig } from "../../src/config.ts";
import { startServer } from "../../src/server/server.ts";
import { OperatorStatus } from "../../src/web/operator.ts";
import { atDoor, enter, Pages, say, seen, seenTimes } from "../support/page.ts";
import { join } from "../support/server.ts";

setDefaultTimeout(30_000);

describe("OperatorStatus", () => {
  test("an /op's password is kept once it works, and given to a kept name's question", () => {
    const op = new OperatorStatus();
    expect(op.claim()).toBe("");
    op.sent("/op  s3nha ");
    op.made();
    expect(op.claim()).toBe("s3nha");
    // A wrong /op later does not forget the one that worked.
    op.made();
    op.sent("/op chute");
    op.refused();
    expect(op.claim()).toBe("s3nha");
  });

  test("a remembered password refused is forgotten; a block is no /op", () => {
    const op = new OperatorStatus();
    op.typed("s3nha");
    expect(op.claim()).toBe("s3nha");
    expect(op.arrived(true)).toBe(false);
    expect(op.claim()).toBe("s3nha");
    op.refused();
    expect(op.claim()).toBe("");
    op.sent("/op one\n/op two");
    op.made();
    expect(op.claim()).toBe("");
  });

  test("welcomed back without operator rights is told once", () => {
    const op = new OperatorStatus();
    expect(op.arrived(false)).toBe(false);
    op.made();
    expect(op.arrived(true)).toBe(false);
    expect(op.arrived(false)).toBe(true);
    expect(op.arrived(false)).toBe(false);
  });
});

describe("the operator at the page's door", () => {
  const pages = new Pages();
  beforeAll(() => pages.launch());
  afterAll(() => pages.close());
  afterEach(() => pages.closeContexts());

  const restartable = (overrides: Partial<ServerConfig>): ServerConfig => ({
    ...SERVER_DEFAULTS,
    port: 0,
    web: true,
    webPort: 0,
    quiet: true,
    historyLines: 0,
    shutdownGraceMs: 200,
    opPassword: "s3nha",
    ...overrides,
  });

  /** Record, from now on, whether the door shows at all. */
  const watchDoor = (page: Page) =>
    page.evaluate(() => {
      const door = document.getElementById("door") as HTMLElement;
      const seen = window as unknown as { doorShown: boolean };
      seen.doorShown = false;
      new MutationObserver(() => {
        if (!door.hidden) seen.doorShown = true;
      }).observe(door, { attributes: true });
    });

  test("a kept name asks for the operator password; after a restart it is claimed again by itself", async () => {
    const config = restartable({ opNames: "prof" });
    const first = startServer(config);
    const webPort = first.web?.port ?? 0;
    const { page, errors } = await pages.open(first);
    await atDoor(page, "name");
    await page.fill("#door-input", "prof");
    await page.press("#door-input", "Enter");
    await atDoor(page, "operator");
    expect(await page.getAttribute("#door-input", "type")).toBe("password");
    expect(await page.textContent("#door-title")).toBe("Operator password for prof");
    // The field's accessible name is the door's title.
    const field = page.getByLabel("Operator password for prof").and(page.locator("#door-input"));
    expect(await field.count()).toBe(1);
    expect(await page.inputValue("#door-input")).toBe("");

    // A wrong one: the server wants a name again, and the page offers the kept one.
    await page.fill("#door-input", "chute");
    await page.press("#door-input", "Enter");
    await atDoor(page, "name");
    expect(await page.textContent("#door-error")).toBe("wrong password");
    expect(await page.inputValue("#door-input")).toBe("prof");
    expect(await page.getAttribute("#door-input", "type")).toBe("text");
    await page.press("#door-input", "Enter");
    await atDoor(page, "operator");
    await page.fill("#door-input", "s3nha");
    await page.press("#door-input", "Enter");
    await page.locator("#door").waitFor({ state: "hidden" });
    const welcome = "* hello prof! 1 online: prof (type /help for commands)";
    await seen(page, welcome);
    await seen(page, "* you are now an operator");
    await page.locator("#transcript").waitFor({ state: "visible" });

    await watchDoor(page);
    await first.stop();
    await page.waitForFunction(() => document.getElementById("status")?.classList.contains("lost"));
    const second = startServer({ ...config, webPort });
    try {
      await seenTimes(page, welcome, 2, 15_000);
      await seenTimes(page, "* you are now an operator", 2);
      await page.locator("#transcript").waitFor({ state: "visible" });
      expect(
        await page.evaluate(() => (window as unknown as { doorShown: boolean }).doorShown),
      ).toBe(false);
      // An operator indeed: /kick works.
      const bob = await join({ port: second.port }, "bob");
      await say(page, "/kick bob");
      expect(await bob.until((l) => l.includes("kicked"))).toBe("* bob was kicked by prof");
      expect(
        await page.evaluate(
          () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
        ),
      ).toBe("{}{}");
      expect(errors).toEqual([]);
    } finally {
      await second.stop();
    }
  });

  test("an operator by /op, back after a restart without the rights, is told to give /op again", async () => {
    const config = restartable({});
    const first = startServer(config);
    const webPort = first.web?.port ?? 0;
    const { page } = await pages.open(first);
    await enter(page, "ana");
    await say(page, "/op s3nha");
    await seen(page, "* you are now an operator");
    await page.locator("#transcript").waitFor({ state: "visible" });
    await first.stop();
    await page.waitForFunction(() => document.getElementById("status")?.classList.contains("lost"));
    const second = startServer({ ...config, webPort });
    try {
      await seen(
        page,
        "* you are no longer an operator here (the server restarted, or you were away too long): give /op PASSWORD again",
        15_000,
      );
      await page.locator("#transcript").waitFor({ state: "hidden" });
      expect(await page.isVisible("#door")).toBe(false);
    } finally {
      await second.stop();
    }
  });

  test("in Portuguese: the door's words, and the sentence when the rights are gone", async () => {
    const config = restartable({ opNames: "prof", lang: "pt" });
    const first = startServer(config);
    const webPort = first.web?.port ?? 0;
    const { page } = await pages.open(first, { locale: "pt-BR" });
    await atDoor(page, "name");
    await page.fill("#door-input", "prof");
    await page.press("#door-input", "Enter");
    await atDoor(page, "operator");
    expect(await page.textContent("#door-title")).toBe("Senha de operador para prof");
    expect(await page.textContent("#door-hint")).toBe("Este nome é reservado para operadores.");
    await page.fill("#door-input", "s3nha");
    await page.press("#door-input", "Enter");
    await page.locator("#door").waitFor({ state: "hidden" });
    await first.stop();
    await page.waitForFunction(() => document.getElementById("status")?.classList.contains("lost"));
    // Back on a server that keeps no name: in as a member, and told so.
    const second = startServer({ ...config, opNames: "", webPort });
    try {
      await seen(
        page,
        "* você não tem mais poderes de operador aqui (o servidor reiniciou, ou você ficou fora tempo demais): use /op SENHA de novo",
        15_000,
      );
    } finally {
      await second.stop();
    }
  });
});
