/**
 * Which scenarios exist, which servers each runs against, and how to run one.
 * Only room, crowd and paced compare against the baselines: the others test
 * papo's own guarantees (eviction, memory, cleanup) that the baselines lack,
 * or its other transports (web, tls).
 */

import type { ScenarioName } from "../config.ts";
import type { TargetName } from "../targets.ts";
import { big } from "./big.ts";
import { cleanup } from "./cleanup.ts";
import { cluster } from "./cluster.ts";
import { crowd, paced, room, tls, web } from "./flood.ts";
import type { Context, Sizes } from "./harness.ts";
import type { Result } from "./result.ts";
import { slowReader } from "./slow-reader.ts";

export interface Runner {
  /** Whether the baselines run this scenario too. */
  compared: boolean;
  run(target: TargetName, sizes: Record<string, number>, ctx: Context): Promise<Result>;
}

export const RUNNERS: Record<ScenarioName, Runner> = {
  room: { compared: true, run: (t, s, ctx) => room(t, s as Sizes<"room">, ctx) },
  crowd: { compared: true, run: (t, s, ctx) => crowd(t, s as Sizes<"crowd">, ctx) },
  web: { compared: false, run: (_, s, ctx) => web(s as Sizes<"web">, ctx) },
  tls: { compared: false, run: (_, s, ctx) => tls(s as Sizes<"tls">, ctx) },
  paced: { compared: true, run: (t, s, ctx) => paced(t, s as Sizes<"paced">, ctx) },
  "slow-reader": {
    compared: false,
    run: (_, s, ctx) => slowReader(s as Sizes<"slow-reader">, ctx),
  },
  big: { compared: false, run: (_, s, ctx) => big(s as Sizes<"big">, ctx) },
  cleanup: { compared: false, run: (_, s, ctx) => cleanup(s as Sizes<"cleanup">, ctx) },
  cluster: { compared: false, run: (_, s, ctx) => cluster(s as Sizes<"cluster">, ctx) },
};
