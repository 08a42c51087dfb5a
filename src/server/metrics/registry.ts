/**
 * The metrics in Prometheus's text format, through prom-client. Nothing is
 * counted here: each series reads, when scraped, what the server counts as
 * it goes (the Meter, the fan-out's `sent`, the store's and the cluster's
 * fields) or what it is now (members, connections). So the hot path pays
 * one integer add per event and nothing per scrape-less second.
 *
 * The runtime's own figures (RSS, heap, event-loop delay, open files) are
 * prom-client's default metrics, once per process (one event-loop monitor,
 * however many servers a test starts); papo's are per server.
 */

import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
} from "prom-client";
import type { Cluster } from "../cluster/cluster.ts";
import type { Room } from "../room/room.ts";
import type { Client } from "../session/client.ts";
import { type RoomStore, storeBytes } from "../store/sqlite.ts";
import { WebSocketConnection } from "../transport/websocket.ts";
import { EVICTIONS, type Meter } from "./meter.ts";

/** What the metrics read, at scrape time. */
export interface Sources {
  readonly meter: Meter;
  readonly room: Room<Client>;
  /** The TCP listener speaks TLS: its members are "tls", not "tcp". */
  readonly tls: boolean;
  readonly cluster: Cluster | null;
  readonly store: RoomStore | null;
}

/** How members are told apart by transport. */
export const TRANSPORTS = ["tcp", "tls", "ws"] as const;

/** One metric as registries hand it over (getMetricsAsJSON), for the workers' sum. */
export type MetricJson = MetricObjectWithValues<MetricValue<string>>;

let runtime: Registry | null = null;

/** The process's own figures (prom-client's default metrics), registered once per process. */
function runtimeRegistry(): Registry {
  if (runtime === null) {
    runtime = new Registry();
    collectDefaultMetrics({ register: runtime });
  }
  return runtime;
}

/** A server's metrics: papo's series over `sources`, and the process's. */
export class Metrics {
  private readonly papo = new Registry();

  constructor(sources: Sources) {
    runtimeRegistry();
    register(this.papo, sources);
  }

  /** The text format, as a scrape of this process reads it. */
  text(): Promise<string> {
    return Registry.merge([runtimeRegistry(), this.papo]).metrics();
  }

  /** Every series, for the supervisor to sum over its workers (gather.ts). */
  async json(): Promise<MetricJson[]> {
    const [a, b] = await Promise.all([
      runtimeRegistry().getMetricsAsJSON(),
      this.papo.getMetricsAsJSON(),
    ]);
    return [...a, ...b] as MetricJson[];
  }
}

/** The content type of the text format. */
export const TEXT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * A counter whose total is kept elsewhere: set to it at each scrape.
 * NOTE: prom-client's counters only go up by inc(); reset and inc by the
 * total is how a counter reads a total it does not keep.
 */
function total(
  registry: Registry,
  name: string,
  help: string,
  read: () => number,
  aggregator: "sum" | "max" = "sum",
): void {
  new Counter({
    name,
    help,
    registers: [registry],
    aggregator,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function gauge(
  registry: Registry,
  name: string,
  help: string,
  read: () => number,
  aggregator: "sum" | "max" | "min" = "sum",
): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    aggregator,
    collect() {
      this.set(read());
    },
  });
}

function register(registry: Registry, s: Sources): void {
  const { meter, room, cluster, store } = s;
  new Gauge({
    name: "papo_members",
    help: "Members connected to this server, by transport",
    labelNames: ["transport"],
    registers: [registry],
    collect() {
      const counts = { tcp: 0, tls: 0, ws: 0 };
      for (const m of room.localMembers()) {
        if (m.phase !== "joined") continue;
        if (m.connection instanceof WebSocketConnection) counts.ws++;
        else if (s.tls) counts.tls++;
        else counts.tcp++;
      }
      for (const t of TRANSPORTS) this.set({ transport: t }, counts[t]);
    },
  });
  gauge(
    registry,
    "papo_room_members",
    "Members of the room on every server, away ones included",
    () => room.memberCount,
    "max",
  );
  gauge(
    registry,
    "papo_connections",
    "Open connections, in the room or not yet",
    () => room.connectionCount,
  );
  total(registry, "papo_connections_total", "Connections opened", () => meter.connections);
  // Every server of a room reads every line: the largest count is the room's, not the sum.
  total(registry, "papo_lines_total", "Lines through the room's log", () => room.sent.lines, "max");
  total(
    registry,
    "papo_deliveries_total",
    "Room lines written to members (one line to ten members is ten)",
    () => room.sent.deliveries,
  );
  total(
    registry,
    "papo_bytes_out_total",
    "Bytes written to members' connections",
    () => room.sent.bytes,
  );
  gauge(
    registry,
    "papo_members_behind",
    "Members whose connection has not taken everything owed to them",
    () => room.behindCount,
  );
  total(
    registry,
    "papo_lines_skipped_total",
    "Lines members behind missed, past the window",
    () => room.sent.skipped,
  );
  new Counter({
    name: "papo_evictions_total",
    help: "Connections the server ended or refused, by why",
    labelNames: ["reason"],
    registers: [registry],
    collect() {
      this.reset();
      for (const why of EVICTIONS)
        this.inc({ reason: why.replaceAll(" ", "_") }, meter.evictions[why]);
    },
  });
  total(
    registry,
    "papo_flood_delays_total",
    "Lines held back by flood control",
    () => meter.floodDelays,
  );
  new Counter({
    name: "papo_wrong_passwords_total",
    help: "Wrong passwords, by which (room, operator)",
    labelNames: ["password"],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ password: "room" }, meter.wrongPasswords.room);
      this.inc({ password: "operator" }, meter.wrongPasswords.operator);
    },
  });
  if (store !== null) {
    gauge(registry, "papo_store_bytes", "Bytes of the room's database and its WAL", () =>
      storeBytes(store.path),
    );
    total(
      registry,
      "papo_store_writes_total",
      "Writes of the store's writer thread",
      () => store.writes,
    );
    total(
      registry,
      "papo_store_write_seconds_total",
      "Time the store's writes took, together",
      () => store.writeMsTotal / 1000,
    );
    gauge(
      registry,
      "papo_store_write_seconds_max",
      "The longest of the latest 10,000 writes",
      () => longest(store.writeMs) / 1000,
      "max",
    );
  }
  if (cluster !== null) {
    gauge(
      registry,
      "papo_redis_up",
      "1 while the link to Redis holds, 0 while it is down",
      () => (cluster.linkUp ? 1 : 0),
      "min",
    );
    total(
      registry,
      "papo_redis_downs_total",
      "Times the link to Redis went down",
      () => cluster.downs,
    );
    gauge(
      registry,
      "papo_redis_lag_seconds",
      "Age of the last stream entry read, when it was read",
      () => cluster.lagMs / 1000,
      "max",
    );
  }
}

function longest(ms: readonly number[]): number {
  let most = 0;
  for (const m of ms) if (m > most) most = m;
  return most;
}
