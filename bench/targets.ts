/**
 * The servers a scenario can measure: papo itself, started through its own
 * CLI exactly as an operator would, the floor (the leanest relay on Bun: what
 * papo's own work costs over it) and the two naive baselines. Each runs in its
 * own process on a free port and announces "... listening on HOST:PORT".
 */

import { join } from "node:path";
import type { Subprocess } from "bun";
import { benchCert } from "./cert.ts";
import { stopChild, track } from "./children.ts";
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from "./config.ts";
import type { Transport } from "./loadgen/protocol.ts";

const ROOT = join(import.meta.dir, "..");
const HOST = "127.0.0.1";

export type TargetName = "papo" | "floor" | "bun-naive" | "node-net";

export const TARGETS: readonly TargetName[] = ["papo", "floor", "bun-naive", "node-net"];

/** The two naive baselines: a write per line per client, 40-150x slower than papo. */
export const isNaive = (target: TargetName): boolean =>
  target === "bun-naive" || target === "node-net";

/** What a scenario may ask of the server it starts. */
export interface ServerOptions {
  maxClients: number;
  /** papo only: its slow-reader cap. */
  maxQueueBytes?: number;
  /** papo only: how the clients come (TLS on the listener, or the web client's WebSocket). */
  transport?: Transport;
  /** papo only: leave flood control on (every other scenario turns it off: it measures speed). */
  floodControl?: boolean;
  /** papo only: more flags (the cluster scenario's --redis and --room). */
  papoArgs?: readonly string[];
}

/** Why a target cannot run here, or null when it can. */
export function unavailable(target: TargetName): string | null {
  if (target === "node-net" && Bun.which("node") === null) return "node is not installed";
  return null;
}

function command(target: TargetName, options: ServerOptions): string[] {
  switch (target) {
    case "papo": {
      const args = [
        process.execPath,
        join(ROOT, "src/cli/run-server.ts"),
        ...["--host", HOST, "--port", "0", "--quiet"],
        ...(options.floodControl ? [] : ["--rate-limit", "0"]),
        ...["--max-clients", String(options.maxClients), "--announce-max", "0"],
        // Every simulated client comes from 127.0.0.1, and a newcomer's
        // history would count as deliveries the naive servers never make.
        ...["--max-per-address", "0", "--history", "0"],
      ];
      if (options.maxQueueBytes !== undefined) {
        args.push("--max-queue-bytes", String(options.maxQueueBytes));
      }
      if (options.transport === "websocket") args.push("--web-port", "0");
      else args.push("--no-web");
      if (options.transport === "tls") {
        const cert = benchCert();
        args.push("--tls-cert", cert.certPath, "--tls-key", cert.keyPath);
      }
      args.push(...(options.papoArgs ?? []));
      // Each server the bench starts keeps nothing on disk unless its scenario gives it a folder.
      if (!args.includes("--data")) args.push("--no-store");
      return args;
    }
    case "floor":
      return [process.execPath, join(ROOT, "bench/baselines/floor.ts"), "--port", "0"];
    case "bun-naive":
      return [process.execPath, join(ROOT, "bench/baselines/bun-naive.ts"), "--port", "0"];
    case "node-net":
      return ["node", join(ROOT, "bench/baselines/node-net.mjs"), "--port", "0"];
  }
}

export interface Server {
  readonly target: TargetName;
  readonly host: string;
  readonly port: number;
  readonly transport: Transport;
  /** The web client's port (transport "websocket"), else 0. */
  readonly webPort: number;
  readonly pid: number;
  /** True while the process runs. */
  alive(): boolean;
  /** SIGTERM, then SIGKILL after a grace period; resolves with the exit code (null if killed). */
  stop(): Promise<number | null>;
  /** What the server wrote to stderr, for failure reports. */
  stderr(): string;
}

/** Start a target and wait for its listening line. */
export async function startServer(target: TargetName, options: ServerOptions): Promise<Server> {
  const proc = track(
    Bun.spawn(command(target, options), { stdin: "ignore", stdout: "pipe", stderr: "pipe" }),
  );
  let errors = "";
  collect(proc.stderr, (text) => {
    errors = (errors + text).slice(-4000);
  });
  const transport = options.transport ?? "tcp";
  let webPort = 0;
  const port = await new Promise<number>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => fail(`no listening line within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    const fail = (why: string) => {
      clearTimeout(timer);
      proc.kill("SIGKILL");
      reject(new Error(`${target} did not start: ${why}${errors ? `\n${errors}` : ""}`));
    };
    collect(proc.stdout, (text) => {
      seen += text;
      const match = /listening on .*:(\d+)(?: \(TLS\))?\s*$/m.exec(seen);
      const web = /^web client on https?:\/\/.*:(\d+)\/\s*$/m.exec(seen);
      if (web) webPort = Number(web[1]);
      if (match && (transport !== "websocket" || web)) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    proc.exited.then((code) => fail(`exited with code ${code}`));
  });
  return {
    target,
    host: HOST,
    port,
    transport,
    webPort,
    pid: proc.pid,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    stop: () => stopChild(proc as Subprocess, STOP_TIMEOUT_MS),
    stderr: () => errors,
  };
}

/** Read a pipe to its end, handing each piece of text on (and so never letting it fill). */
function collect(stream: ReadableStream<Uint8Array>, onText: (text: string) => void): void {
  const decoder = new TextDecoder();
  (async () => {
    for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
  })().catch(() => {});
}
