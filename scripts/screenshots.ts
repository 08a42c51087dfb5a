#!/usr/bin/env bun
/**
 * Remakes the web client's screenshots in docs/ from real rooms: a papo
 * server on 127.0.0.1:0, members on TCP, and the page in headless Chromium
 * (test/support/page.ts), each line waited for before the picture is taken.
 *
 *   bun scripts/screenshots.ts            # docs/web.png and docs/class.png
 *   bun scripts/screenshots.ts class      # only docs/class.png
 *
 * docs/web.png: the page as README shows it, a lively room in English.
 * docs/class.png: the page in Portuguese in a class (a `--lang pt` room):
 * the topic and slow mode in the header, the teacher an operator, a
 * student's Python as a block. Needs /usr/bin/chromium, as the tests do.
 */

import { join as joinPath } from "node:path";
import type { Page } from "playwright-core";
import type { ServerConfig } from "../src/config.ts";
import { enter, Pages, say, seen } from "../test/support/page.ts";
import { arrive, serve, stopAll } from "../test/support/server.ts";

const DOCS = joinPath(import.meta.dir, "..", "docs");
/** The size README shows the page at. */
const VIEWPORT = { width: 1100, height: 620 };
/** Taller: the whole class, its code included, without scrolling. */
const CLASS_VIEWPORT = { width: 1100, height: 720 };

const web = (overrides: Partial<ServerConfig> = {}) =>
  serve({ web: true, webPort: 0, ...overrides });

/** A TCP member named `name`, in the room once welcomed (in either language). */
async function member(server: ReturnType<typeof web>, name: string) {
  const c = await arrive(server);
  c.send(name);
  await c.until((l) => l.startsWith(`* hello ${name}!`) || l.startsWith(`* olá ${name}!`));
  return c;
}

/** Wait until the page shows `n` blocks. */
async function blocksShown(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (count) => document.querySelectorAll("#log pre.code").length >= count,
    n,
  );
}

/** The room README shows: chat, an action, a mention, a private line, a block, HTML as text. */
async function webPng(pages: Pages): Promise<string> {
  const server = web();
  const ana = await member(server, "ana");
  const rui = await member(server, "rui");
  const { page } = await pages.open(server, { viewport: VIEWPORT });
  await enter(page, "bia");
  ana.send("good morning! who's in for the 10:00 review?");
  await seen(page, "<ana> good morning! who's in for the 10:00 review?");
  rui.send("/me raises a hand");
  await seen(page, "* rui raises a hand");
  await say(page, "me too — I'll bring the notes");
  ana.send("bia, can you share the slides as well?");
  await seen(page, "<ana> bia, can you share the slides as well?");
  rui.send("/msg bia coffee after?");
  await seen(page, "[private] <rui> coffee after?");
  for (const line of [
    "```",
    "review:",
    "  - chapter 3, exercises 1-4",
    "  - last year's exam",
    "```",
  ])
    rui.send(line);
  await blocksShown(page, 1);
  const carla = await member(server, "carla");
  carla.send("<b>not bold</b> and still safe");
  await seen(page, "<carla> <b>not bold</b> and still safe");
  await page.fill("#input", "sure, see you th");
  const path = joinPath(DOCS, "web.png");
  await page.screenshot({ path });
  return path;
}

const PYTHON = [
  "def media(notas):",
  "    total = 0",
  "    for nota in notas:",
  "        total += nota",
  "",
  "    return total / len(notas)",
  "",
  "print(media([7, 8.5, 10]))",
];

/** A class in Portuguese: the teacher an operator, a topic, slow mode, a student's code. */
async function classPng(pages: Pages): Promise<string> {
  const server = web({ lang: "pt", opPassword: "giz", historyLines: 0 });
  const prof = await member(server, "prof");
  prof.send("/op giz");
  await prof.until((l) => l.includes("operador"));
  prof.send("/topic Aula 7: laços em Python");
  const caio = await member(server, "caio");
  const duda = await member(server, "duda");
  const { page } = await pages.open(server, { viewport: CLASS_VIEWPORT, locale: "pt-BR" });
  await enter(page, "lia");
  await page.locator("#topic").waitFor({ state: "visible" });
  prof.send("bom dia! hoje: a média de uma lista de notas com um laço for");
  await seen(page, "<@prof> bom dia! hoje: a média de uma lista de notas com um laço for");
  duda.send("professora, posso usar sum()?");
  await seen(page, "<duda> professora, posso usar sum()?");
  prof.send("pode, mas primeiro com o laço, para ver o que sum() faz");
  await seen(page, "<@prof> pode, mas primeiro com o laço, para ver o que sum() faz");
  caio.send("fiz assim:");
  await seen(page, "<caio> fiz assim:");
  caio.send("```python");
  for (const line of PYTHON) caio.send(line);
  caio.send("```");
  await blocksShown(page, 1);
  // Everyone wants to answer at once: one line every 10 s each.
  prof.send("/slow 10");
  await page.locator("#modes").waitFor({ state: "visible" });
  await say(page, "e se a lista estiver vazia?");
  prof.send("boa pergunta, lia! caio, o que acontece com len(notas) == 0?");
  await seen(page, "<@prof> boa pergunta, lia! caio, o que acontece com len(notas) == 0?");
  await page.fill("#input", "divisão por zero, né?");
  const path = joinPath(DOCS, "class.png");
  await page.screenshot({ path });
  return path;
}

const SCENES: Record<string, (pages: Pages) => Promise<string>> = {
  web: webPng,
  class: classPng,
};

const wanted = process.argv.slice(2);
const pages = new Pages();
await pages.launch();
try {
  for (const [name, scene] of Object.entries(SCENES)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    const path = await scene(pages);
    console.log(`${path}: ${Bun.file(path).size} bytes`);
    await pages.closeContexts();
    await stopAll();
  }
} finally {
  await pages.close();
  await stopAll();
}
