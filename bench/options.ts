/**
 * Command-line flags of `bun bench`: the run's shape (--quick, --only,
 * --targets, --loadgens, --json) plus one flag per scenario size, generated
 * from the SIZES table so that the help and the defaults cannot drift apart.
 */

import { parseArgs } from "node:util";
import { parseDecimal } from "../src/cli/flags.ts";
import { DEFAULT_LOADGENS, SCENARIOS, type ScenarioName, SIZES, type Size } from "./config.ts";
import { TARGETS, type TargetName } from "./targets.ts";

export interface Options {
  quick: boolean;
  /** Run the micro benchmarks. */
  micro: boolean;
  scenarios: ScenarioName[];
  targets: TargetName[];
  loadgens: number;
  /** Where to write the JSON results (the chart goes next to it); null: the default place. */
  json: string | null;
  sizes: Record<ScenarioName, Record<string, number>>;
  help: boolean;
}

/** A flag the user got wrong; its message is meant for them as is. */
export class UsageError extends Error {}

const sizeFlags = (): Array<[string, ScenarioName, string, Size]> =>
  SCENARIOS.flatMap((scenario) =>
    Object.entries(SIZES[scenario] as Record<string, Size>).map(
      ([key, size]): [string, ScenarioName, string, Size] => [
        `${scenario}-${key}`,
        scenario,
        key,
        size,
      ],
    ),
  );

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean" },
      only: { type: "string" },
      targets: { type: "string" },
      loadgens: { type: "string" },
      json: { type: "string" },
      help: { type: "boolean", short: "h" },
      ...Object.fromEntries(sizeFlags().map(([flag]) => [flag, { type: "string" as const }])),
    },
    strict: true,
  });
  const flags = values as Record<string, string | boolean | undefined>;
  const quick = values.quick === true;
  const only = list(values.only, ["micro", ...SCENARIOS], "--only");
  const sizes = Object.fromEntries(SCENARIOS.map((s) => [s, {}])) as Options["sizes"];
  for (const [flag, scenario, key, size] of sizeFlags()) {
    const raw = flags[flag];
    sizes[scenario][key] =
      raw === undefined ? (quick ? size.quick : size.full) : positive(flag, String(raw));
  }
  return {
    quick,
    micro: only === null || only.includes("micro"),
    scenarios: SCENARIOS.filter((s) => only === null || only.includes(s)),
    targets: (list(values.targets, TARGETS, "--targets") ?? [...TARGETS]) as TargetName[],
    loadgens:
      values.loadgens === undefined ? DEFAULT_LOADGENS : positive("loadgens", values.loadgens),
    json: values.json ?? null,
    sizes,
    help: values.help === true,
  };
}

function list(raw: string | undefined, allowed: readonly string[], flag: string): string[] | null {
  if (raw === undefined) return null;
  const items = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const wrong = items.filter((i) => !allowed.includes(i));
  if (wrong.length > 0)
    throw new UsageError(
      `${flag}: unknown ${wrong.join(", ")} (choose from ${allowed.join(", ")})`,
    );
  return items;
}

function positive(flag: string, raw: string): number {
  const n = parseDecimal(raw, true);
  if (n === null || n < 1)
    throw new UsageError(`--${flag} must be a whole number of at least 1, got "${raw}"`);
  return n;
}

export function helpText(): string {
  const rows: Array<[string, string]> = [
    ["--quick", "every scenario at reduced size, in under a minute (what CI runs)"],
    ["--only LIST", `comma-separated: micro, ${SCENARIOS.join(", ")} (default: all)`],
    ["--targets LIST", `servers to compare: ${TARGETS.join(", ")} (default: all)`],
    ["--loadgens N", `load-generator processes (default ${DEFAULT_LOADGENS})`],
    [
      "--json FILE",
      "write results as JSON to FILE and the chart next to it (default bench/results/)",
    ],
    ["--help, -h", "show this help"],
    ...sizeFlags().map(([flag, , , s]): [string, string] => [
      `--${flag} N`,
      `${s.help} (default ${s.full}, quick ${s.quick})`,
    ]),
  ];
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return `papo benchmarks: micro benchmarks, then floods over real sockets against papo, the floor and two naive baselines.

usage: bun bench [options]
       bun bench soak [--minutes N] [--quick]   (the long mixed load: bun bench soak --help)

options:
${rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`).join("\n")}
`;
}
