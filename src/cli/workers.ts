/**
 * `--workers N`: one papo process per core on one port. The parent only
 * supervises: it picks the port, starts N copies of the server (each shares
 * the port through SO_REUSEPORT and the room through Redis), forwards their
 * output and errors with a prefix (a field, in JSON), restarts one that
 * dies, and stops them all on a signal. The children are ordinary servers; nothing here
 * knows the room.
 */

import { SECRET_ENV, type ServerConfig } from "../config.ts";
import type { Log } from "../server/log.ts";
import { Sums } from "../server/metrics/gather.ts";
import { selfCommand } from "../server/self.ts";
import { FlagError } from "./flags.ts";

/** Set in a worker's environment (to its number): it listens with reusePort and is not a parent. */
export const WORKER_ENV = "PAPO_WORKER";

/** A worker that dies is started again after this long (ms), doubling while it cannot start. */
const RESTART_MS = 1_000;
const RESTART_MAX_MS = 30_000;

/** Past its shutdown grace, how long a worker may take to exit before it is killed (ms). */
const STOP_SLACK_MS = 5_000;

/** The line a server prints once it listens (run-server.ts), and nothing before. */
const LISTENING = /^papo listening on /;

/** Most workers --workers may ask for. */
const MAX_WORKERS = 256;

/** "auto" is one per core; otherwise a count from 1 to MAX_WORKERS. */
export function workerCount(value: string, cores: number): number {
  if (value === "auto") return Math.max(1, cores);
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_WORKERS) {
    throw new FlagError(
      `--workers must be a number from 1 to ${MAX_WORKERS}, or auto (got '${value}')`,
    );
  }
  return n;
}

/**
 * Run `count` workers until a signal; resolves only if they cannot start
 * (then the process exits 1 with the workers' own error on stderr).
 */
export async function superviseWorkers(
  config: ServerConfig,
  count: number,
  argv: readonly string[],
  log: Log,
): Promise<void> {
  // Both ports are probed before either is let go, so the two cannot be the same.
  const probes = [config.port, config.web ? config.webPort : -1].map((p) =>
    p === 0 ? probe(config.host) : null,
  );
  const port = probes[0]?.port ?? config.port;
  const args = [...withoutWorkers(argv), "--port", String(port)];
  // The web client's port is shared the same way: one port for every worker.
  if (probes[1]) args.push("--web-port", String(probes[1].port));
  for (const p of probes) p?.stop(true);
  const children = new Map<number, ReturnType<typeof Bun.spawn>>();
  // A scrape on any worker is answered with every worker's figures (metrics/gather.ts).
  const sums = new Sums(() => children);
  let ready = 0;
  let stopping = false;

  const start = (i: number, first: boolean) => {
    let listening = false;
    const child = Bun.spawn([...selfCommand("server"), ...args], {
      env: { ...process.env, [SECRET_ENV.redisUrl]: config.redisUrl, [WORKER_ENV]: String(i) },
      stdin: "ignore",
      stdout: "pipe",
      // Relayed as its output is, so that with --log-format json every line is JSON.
      stderr: "pipe",
      ipc: (message) => sums.heard(message, i),
    });
    children.set(i, child);
    const errors = forward(
      child.stderr,
      process.stderr,
      (line) => relayed(config.logFormat, i, line, "error"),
      () => {},
    );
    const output = forward(
      child.stdout,
      process.stdout,
      (line) => relayed(config.logFormat, i, line),
      (line) => {
        // Only its listening line says it started: a worker may say other things first
        // ("max clients lowered to 990 by the open-file limit").
        if (listening || !LISTENING.test(line)) return;
        listening = true;
        if (first && ++ready === count) {
          log.info(`papo: ${count} workers listening on ${config.host}:${port}`);
        }
      },
    );
    relays.set(i, Promise.all([output, errors]));
    void child.exited.then(async (code) => {
      if (stopping) return;
      // Its last words (why it died) come before the supervisor's line about it.
      await Promise.all([output, errors]);
      if (stopping) return;
      if (!listening && first) {
        // It could not start at all (port taken, Redis unreachable): its error is on stderr.
        stopAll(1);
        return;
      }
      // A worker that died (or could not come back yet, say while Redis is away)
      // is tried again, less and less often; the others go on serving.
      const wait = listening
        ? RESTART_MS
        : Math.min(RESTART_MAX_MS, (retries.get(i) ?? RESTART_MS) * 2);
      retries.set(i, wait);
      log.info(`papo: worker ${i} exited (${code}); starting it again in ${wait / 1000} s`);
      setTimeout(() => !stopping && start(i, false), wait);
    });
  };
  const retries = new Map<number, number>();
  /** Each worker's output and errors, relayed to their end. */
  const relays = new Map<number, Promise<unknown>>();

  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children.values()) child.kill("SIGTERM");
    // A worker that cannot finish its goodbye in time (a frozen Redis) is not waited for forever.
    const late = setTimeout(() => {
      for (const child of children.values()) child.kill("SIGKILL");
    }, config.shutdownGraceMs + STOP_SLACK_MS);
    const ended = [...children.values()].map((c) => c.exited);
    void Promise.all([...ended, ...relays.values()]).then(() => {
      clearTimeout(late);
      process.exit(code);
    });
  };

  for (let i = 1; i <= count; i++) start(i, true);
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
  await new Promise(() => {});
}

/** A free port on `host`, asked of the kernel and held until stopped, for workers told port 0. */
function probe(host: string) {
  return Bun.listen({ hostname: host, port: 0, socket: { data() {} } });
}

/**
 * The supervisor's flags for a worker: without --workers, and without
 * --redis, whose URL (it may hold a password) goes by the environment so
 * that `ps` does not show it.
 */
function withoutWorkers(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--workers" || arg === "--redis") i++;
    else if (!arg.startsWith("--workers=") && !arg.startsWith("--redis=")) out.push(arg);
  }
  return out;
}

/**
 * A worker's output line as the supervisor prints it (`out`), and its words
 * (`text`, what `seen` is given): as text, with a "[worker N] " prefix; as
 * JSON, the worker's own object with a `worker` field added (a line that is
 * not a JSON object becomes one of kind `plain`, its text as `msg`: "info"
 * on stdout, "error" on stderr).
 */
export function relayed(
  format: "text" | "json",
  worker: number,
  line: string,
  plain: "info" | "error" = "info",
): { out: string; text: string } {
  if (format === "text") return { out: `[worker ${worker}] ${line}`, text: line };
  let object: unknown = null;
  try {
    object = JSON.parse(line);
  } catch {
    // Not JSON (a worker's runtime printing on its own): wrapped below.
  }
  if (object === null || typeof object !== "object" || Array.isArray(object)) {
    const time = new Date().toISOString();
    return { out: JSON.stringify({ time, kind: plain, msg: line, worker }), text: line };
  }
  const fields = object as Record<string, unknown>;
  const text = typeof fields.msg === "string" ? fields.msg : line;
  return { out: JSON.stringify({ ...fields, worker }), text };
}

/** Copy a worker's `stream` to `to` line by line as `relay` makes it, handing its words to `seen`. */
async function forward(
  stream: ReadableStream<Uint8Array>,
  to: { write(text: string): unknown },
  relay: (line: string) => { out: string; text: string },
  seen: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of stream) {
    rest += decoder.decode(chunk, { stream: true });
    let at = rest.indexOf("\n");
    while (at >= 0) {
      const { out, text } = relay(rest.slice(0, at));
      to.write(`${out}\n`);
      seen(text);
      rest = rest.slice(at + 1);
      at = rest.indexOf("\n");
    }
  }
  // A last line without its newline (a crash) is still a line.
  rest += decoder.decode();
  if (rest !== "") {
    const { out, text } = relay(rest);
    to.write(`${out}\n`);
    seen(text);
  }
}
