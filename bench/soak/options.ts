/**
 * Command-line flags of `bun bench soak`: how long (--minutes, --quick), and
 * where the JSON and the plot go (--json, --svg).
 */

import { parseArgs } from "node:util";
import { parseDecimal } from "../../src/cli/flags.ts";
import { RESULTS_DIR, SOAK, SOAK_DOCS_MINUTES, SOAK_DOCS_SVG } from "../config.ts";
import { UsageError } from "../options.ts";

export interface SoakOptions {
  minutes: number;
  quick: boolean;
  json: string;
  svg: string;
  help: boolean;
}

export function parseSoakOptions(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: "string" },
      quick: { type: "boolean" },
      json: { type: "string" },
      svg: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const quick = values.quick === true;
  let minutes: number = quick ? SOAK.minutes.quick : SOAK.minutes.full;
  if (values.minutes !== undefined) {
    const n = parseDecimal(values.minutes, true);
    if (n === null || n < 1)
      throw new UsageError(
        `--minutes must be a whole number of at least 1, got "${values.minutes}"`,
      );
    minutes = n;
  }
  const json = values.json ?? `${RESULTS_DIR}/${quick ? "soak-quick" : "soak"}.json`;
  const svg =
    values.svg ??
    (minutes >= SOAK_DOCS_MINUTES ? SOAK_DOCS_SVG : `${json.replace(/\.json$/i, "")}.svg`);
  return { minutes, quick, json, svg, help: values.help === true };
}

export function soakHelpText(): string {
  return `papo soak: members join and leave (TCP and WebSocket), read slowly, stop reading,
are cut and resume, are kicked and banned, floods come and go, flood control on.
Prints RSS, heap, descriptors and event-loop delay p99 per minute, with lines lost
(members inside the window) and read twice; fails on any, or on memory or
descriptors growing without bound.

usage: bun bench soak [options]

options:
  --minutes N   how long the load runs (default ${SOAK.minutes.full}; --quick ${SOAK.minutes.quick})
  --quick       ${SOAK.minutes.quick} minute (what CI runs)
  --json FILE   write the results as JSON (default ${RESULTS_DIR}/soak.json, soak-quick.json with --quick)
  --svg FILE    write the plot there (default next to the JSON; ${SOAK_DOCS_SVG} from ${SOAK_DOCS_MINUTES} minutes)
  --help, -h    show this help
`;
}
