#!/usr/bin/env bun
/**
 * `bun run build`: dist/papo, one executable holding Bun, the server, the
 * terminal client, the export tool and the web page (cli/papo.ts says
 * which). The page's script is bundled here and its files read here, and
 * all of them go in as the text of transport/page-built.ts (assets.ts), so
 * nothing needs to sit beside the executable. The store's writer thread is
 * an entry point of its own, as a Worker in an executable must be
 * (store/sqlite.ts finds it at its path from src/).
 *
 *   bun run build [--target bun-linux-arm64] [--outfile FILE]
 *
 * --target builds for another system (any of `bun build --compile`'s
 * targets); Bun downloads that system's Bun for it, once.
 */

import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { PAGE_FILES, PAGE_SCRIPT, pageFile, pageScript } from "../src/server/transport/assets.ts";

const ROOT = join(import.meta.dir, "..");
const SRC = join(ROOT, "src");

/** The entry points: the program, and the writer thread. Their common folder, src/, is the executable's root. */
const ENTRIES = [join(SRC, "cli", "papo.ts"), join(SRC, "server", "store", "writer.ts")];

/** The module whose text the build replaces with the page's files. */
const PAGE_BUILT = join(SRC, "server", "transport", "page-built.ts");

export const DEFAULT_OUTFILE = join(ROOT, "dist", "papo");

/** Build the executable at `outfile` (for `target`, else this system); returns its path. */
export async function build(outfile: string, target?: Bun.Build.CompileTarget): Promise<string> {
  const page: Record<string, string> = { [PAGE_SCRIPT]: await pageScript() };
  for (const name of PAGE_FILES) page[name] = pageFile(name);
  const built = await Bun.build({
    entrypoints: ENTRIES,
    files: { [PAGE_BUILT]: `export const BUILT_PAGE = ${JSON.stringify(page)};\n` },
    // A bunfig.toml or .env in the folder papo runs from must not change what papo is
    // (a preload) or what it does (a PAPO_ROOM_PASSWORD nobody meant for it).
    compile: {
      outfile,
      autoloadBunfig: false,
      autoloadDotenv: false,
      ...(target === undefined ? {} : { target }),
    },
  });
  const output = built.outputs[0];
  if (!built.success || output === undefined) {
    throw new Error(`cannot build papo: ${built.logs.join("; ")}`);
  }
  return output.path;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { target: { type: "string" }, outfile: { type: "string" } },
    strict: true,
  });
  const started = performance.now();
  const path = await build(
    values.outfile ?? DEFAULT_OUTFILE,
    values.target as Bun.Build.CompileTarget | undefined,
  );
  const mb = (Bun.file(path).size / 1e6).toFixed(0);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const shown = relative(process.cwd(), path);
  console.log(`papo built: ${shown.startsWith("..") ? path : shown} (${mb} MB, ${seconds} s)`);
}
