/**
 * The page's files: from a checkout, read from src/web and the script
 * bundled from src/web/app.ts at the first start, so that editing the page
 * needs no build step; in the one-file papo, the copies scripts/build.ts put
 * in the executable (page-built.ts), since there is no src/web beside it.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BUILT_PAGE } from "./page-built.ts";

const PAGE_DIR = join(import.meta.dir, "..", "..", "web");

/** The page's files served as they are, by name in src/web. */
export const PAGE_FILES = ["index.html", "style.css", "icon.svg"] as const;
export type PageFile = (typeof PAGE_FILES)[number];

/** The bundled script's name among the built files (and its path on the page). */
export const PAGE_SCRIPT = "app.js";

/** The text of one of the page's files. */
export function pageFile(name: PageFile): string {
  return BUILT_PAGE?.[name] ?? readFileSync(join(PAGE_DIR, name), "utf8");
}

let script: Promise<string> | null = null;

/**
 * The page's script, bundled once per process: the page shares the terminal
 * client's pure code (how server lines are sorted, in both languages, and
 * who is in the room) instead of a copy.
 */
export function pageScript(): Promise<string> {
  const built = BUILT_PAGE?.[PAGE_SCRIPT];
  if (built !== undefined) return Promise.resolve(built);
  script ??= Bun.build({
    entrypoints: [join(PAGE_DIR, "app.ts")],
    target: "browser",
    format: "esm",
  }).then(async (bundled) => {
    const output = bundled.outputs[0];
    if (!bundled.success || output === undefined) {
      throw new Error(`cannot bundle the web client: ${bundled.logs.join("; ")}`);
    }
    return output.text();
  });
  return script;
}
