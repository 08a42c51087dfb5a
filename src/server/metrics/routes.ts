/**
 * The operator's three routes, on the web port or a port of their own
 * (--metrics-port): GET /healthz (liveness: the process answers), GET
 * /readyz (readiness: listening, not stopping, its Redis link up) and
 * GET /metrics (Prometheus's text format, for the machine itself or with
 * the token: access.ts). Health answers anyone; only who may read the
 * metrics also reads the member count in it.
 */

import type { Server } from "bun";
import type { Cluster } from "../cluster/cluster.ts";
import type { Room } from "../room/room.ts";
import type { Client } from "../session/client.ts";
import { hostOnly, knownHosts } from "../transport/hosts.ts";
import { forwardedBy, metricsAllowed } from "./access.ts";
import { type Metrics, TEXT_TYPE } from "./registry.ts";

export const HEALTH_PATH = "/healthz";
export const READY_PATH = "/readyz";
export const METRICS_PATH = "/metrics";

/** Where the server is in its life: ready only while serving. */
export type State = "starting" | "serving" | "stopping";

/** The metrics of every worker, as the supervisor sums them (gather.ts); null outside --workers. */
export type Gather = () => Promise<string>;

const HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" };

export class Ops {
  state: State = "starting";

  constructor(
    private readonly metrics: Metrics,
    private readonly room: Room<Client>,
    private readonly cluster: Cluster | null,
    /** --metrics-token; "" opens /metrics to this machine only. */
    private readonly token: string,
    private readonly gather: Gather | null = null,
  ) {}

  /** Whether `path` is one of the operator's routes. */
  serves(path: string): boolean {
    return path === HEALTH_PATH || path === READY_PATH || path === METRICS_PATH;
  }

  /**
   * The answer to a request for one of the routes (see serves). `address`:
   * the peer's; `forwarded`: a proxy sent it (by default, any forwarding header).
   */
  respond(
    request: Request,
    address: string,
    forwarded: boolean = forwardedBy(request.headers),
  ): Promise<Response> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return Promise.resolve(text(405, "method not allowed\n"));
    }
    const path = new URL(request.url).pathname;
    const verdict = metricsAllowed(request, address, forwarded, this.token);
    if (path === HEALTH_PATH) return Promise.resolve(this.health(verdict === "allowed"));
    if (path === READY_PATH) return Promise.resolve(this.ready());
    if (verdict === "token") {
      return Promise.resolve(
        new Response("a bearer token is needed (--metrics-token)\n", {
          status: 401,
          headers: { ...HEADERS, "www-authenticate": 'Bearer realm="papo metrics"' },
        }),
      );
    }
    if (verdict === "refused") {
      return Promise.resolve(
        text(403, "metrics answer this machine only; see --metrics-token to open them\n"),
      );
    }
    return this.scrape();
  }

  /** The Redis link's state: "none" without --redis. */
  private get redis(): "up" | "down" | "none" {
    if (this.cluster === null) return "none";
    return this.cluster.linkUp ? "up" : "down";
  }

  /** 200 while the process answers, Redis down included: it still serves its members. */
  private health(counts: boolean): Response {
    const status = this.state === "serving" ? "ok" : this.state;
    const body = counts
      ? { status, members: this.room.memberCount, redis: this.redis }
      : { status, redis: this.redis };
    return json(200, body);
  }

  /** 503 while starting, stopping, or cut off from Redis. */
  private ready(): Response {
    const redis = this.redis;
    if (this.state !== "serving") return json(503, { status: this.state, redis });
    if (redis === "down") return json(503, { status: "redis down", redis });
    return json(200, { status: "ready", redis });
  }

  private async scrape(): Promise<Response> {
    try {
      const body = this.gather === null ? await this.metrics.text() : await this.gather();
      return new Response(body, { headers: { ...HEADERS, "content-type": TEXT_TYPE } });
    } catch (error) {
      // A sum over the workers that cannot be made is no answer: never one worker's figures.
      return text(503, `metrics unavailable: ${(error as Error).message}\n`);
    }
  }
}

function json(status: number, body: object): Response {
  return new Response(`${JSON.stringify(body)}\n`, {
    status,
    headers: { ...HEADERS, "content-type": "application/json" },
  });
}

function text(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { ...HEADERS, "content-type": "text/plain; charset=utf-8" },
  });
}

export interface OpsServer {
  readonly port: number;
  stop(closeActive: boolean): void;
}

/**
 * --metrics-port: a server of the three routes alone, on the listening
 * host (the web port's Host check too: a site rebinding its name to this
 * machine reads nothing). Throws when it cannot bind.
 */
export function startOps(
  ops: Ops,
  host: string,
  port: number,
  reusePort: boolean,
  webHosts: string,
): OpsServer {
  const hosts = knownHosts(host, webHosts);
  const server: Server<undefined> = Bun.serve({
    hostname: host,
    port,
    reusePort,
    development: false,
    fetch: (request, server) => {
      const header = request.headers.get("host");
      if (header !== null && !hosts.has(hostOnly(header))) {
        return text(421, `this server is not known as ${hostOnly(header)}\n`);
      }
      const path = new URL(request.url).pathname;
      if (!ops.serves(path)) return text(404, "not found\n");
      return ops.respond(request, server.requestIP(request)?.address ?? "");
    },
  });
  return { port: server.port ?? port, stop: (closeActive) => void server.stop(closeActive) };
}
