/**
 * Which scenarios exist, which servers each runs against, and how to run one.
 * room, crowd and paced compare against every baseline; big and cleanup
 * against the floor only (what an idle connection, a join and a mass reset
 * cost at least on Bun); the others test papo's own guarantees (eviction,
 * grace) that the baselines lack, or its other transports (web-room, web, tls).
 */

import type { ScenarioName } from "../config.ts";
import type { TargetName } from "../targets.ts";
import { big } from "./big.ts";
import { cleanup } from "./cleanup.ts";
import { cluster } from "./cluster.ts";
import { crowd, paced, room, tls, web, webRoom } from "./flood.ts";
import type { Context, Sizes } from "./harness.ts";
import { hiccup } from "./hiccup.ts";
import type { Result } from "./result.ts";
import { resume } from "./resume.ts";
import { slowReader } from "./slow-reader.ts";
import { store } from "./store.ts";

export interface Runner {
  /** The servers besides papo this scenario runs against (when --targets selects them). */
  baselines: readonly TargetName[];
  run(target: TargetName, sizes: Record<string, number>, ctx: Context): Promise<Result>;
}

const ALL: readonly TargetName[] = ["floor", "bun-naive", "node-net"];

export const RUNNERS: Record<ScenarioName, Runner> = {
  room: { baselines: ALL, run: (t, s, ctx) => room(t, s as Sizes<"room">, ctx) },
  "web-room": { baselines: [], run: (_, s, ctx) => webRoom(s as Sizes<"web-room">, ctx) },
  crowd: { baselines: ALL, run: (t, s, ctx) => crowd(t, s as Sizes<"crowd">, ctx) },
  web: { baselines: [], run: (_, s, ctx) => web(s as Sizes<"web">, ctx) },
  tls: { baselines: [], run: (_, s, ctx) => tls(s as Sizes<"tls">, ctx) },
  paced: { baselines: ALL, run: (t, s, ctx) => paced(t, s as Sizes<"paced">, ctx) },
  "slow-reader": {
    baselines: [],
    run: (_, s, ctx) => slowReader(s as Sizes<"slow-reader">, ctx),
  },
  hiccup: { baselines: [], run: (_, s, ctx) => hiccup(s as Sizes<"hiccup">, ctx) },
  resume: { baselines: [], run: (_, s, ctx) => resume(s as Sizes<"resume">, ctx) },
  big: { baselines: ["floor"], run: (t, s, ctx) => big(t, s as Sizes<"big">, ctx) },
  cleanup: {
    baselines: ["floor"],
    run: (t, s, ctx) => cleanup(t, s as Sizes<"cleanup">, ctx),
  },
  cluster: { baselines: [], run: (_, s, ctx) => cluster(s as Sizes<"cluster">, ctx) },
  store: { baselines: [], run: (_, s, ctx) => store(s as Sizes<"store">, ctx) },
};

/**
 * The servers a scenario runs against, in --targets order: papo and the
 * baselines it has among those selected; papo alone when none of them is.
 */
export function targetsOf(runner: Runner, selected: readonly TargetName[]): TargetName[] {
  const chosen = selected.filter((t) => t === "papo" || runner.baselines.includes(t));
  return chosen.length > 0 ? chosen : ["papo"];
}
