/** Runs `bun src/cli/run-server.ts` as a child process for tests of the command itself. */

import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");

export interface ServerProcess {
  port: number;
  /** The web client's port, from the "web client on" line (0 with --no-web or before it came). */
  webPort: number;
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** Every stdout line so far. */
  output: string[];
  /** Waits for exit; returns the code. */
  exited: Promise<number>;
  /** Resolves once stdout is closed and every line of it is in `output`. */
  ended: Promise<void>;
}

/**
 * `args` with --no-store unless they say where the room is kept: servers of
 * one test run never share a stored room.
 */
export function storeArgs(args: readonly string[]): string[] {
  return args.some((a) => a === "--no-store" || a === "--data")
    ? [...args]
    : [...args, "--no-store"];
}

/** `bun src/cli/run-server.ts`, which spawnServer starts unless given another command. */
export const SERVER_COMMAND: readonly string[] = [
  process.execPath,
  join(ROOT, "src/cli/run-server.ts"),
];

/**
 * Start the CLI with `args` (after `command`: the built papo's is
 * `[dist/papo, "server"]`), in the folder `cwd` when given, and wait for its
 * "listening on" line.
 */
export async function spawnServer(
  given: string[],
  command: readonly string[] = SERVER_COMMAND,
  cwd?: string,
): Promise<ServerProcess> {
  const args = storeArgs(given);
  // Never the default web port: a test must not collide with a server someone runs.
  const web = args.some((a) => a === "--no-web" || a.startsWith("--web-port"))
    ? []
    : ["--web-port", "0"];
  const proc = Bun.spawn([...command, ...web, ...args], {
    ...(cwd === undefined ? {} : { cwd }),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const output: string[] = [];
  const result: ServerProcess = {
    port: 0,
    webPort: 0,
    proc,
    output,
    exited: proc.exited,
    ended: Promise.resolve(),
  };
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let partial = "";
  let announce: (port: number) => void = () => {};
  const listening = new Promise<number>((resolve) => {
    announce = resolve;
  });
  let announceWeb: () => void = () => {};
  const webListening = new Promise<void>((resolve) => {
    announceWeb = resolve;
  });
  result.ended = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      partial += decoder.decode(value, { stream: true });
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        // In English or, with --lang pt, in Portuguese; with --log-format json, a line's msg.
        const text = logText(line);
        const m = /(?:listening on|escutando em) .*:(\d+)(?: \(TLS\))?$/.exec(text);
        if (m) announce(Number(m[1]));
        const web = /^(?:web client on|cliente web em) https?:\/\/.*:(\d+)\/$/.exec(text);
        if (web) {
          result.webPort = Number(web[1]);
          announceWeb();
        }
      }
    }
  })();
  // A deadline for starting, not a wait: it only ever fails the test.
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      proc.kill();
      reject(new Error("server did not start"));
    }, 10_000);
  });
  try {
    result.port = await Promise.race([listening, timeout]);
    // The web line follows the listening line (a supervisor of --workers prints none of its own).
    if (web.length > 0 && !args.includes("--workers")) await Promise.race([webListening, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return result;
}

/** Start the CLI with `args`, run `body` against it, and always kill it afterwards. */
export async function withServer<T>(
  args: string[],
  body: (server: ServerProcess) => Promise<T>,
): Promise<T> {
  const server = await spawnServer(args);
  try {
    return await body(server);
  } finally {
    server.proc.kill();
    await server.exited;
  }
}

/** What a command that ran to its end printed, and its exit code. */
export interface Ended {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `command` to its end (killed after `timeout` ms, 10 s unless told), keeping what it printed. */
export async function runToEnd(
  command: string[],
  options: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    stdin?: Blob;
    timeout?: number;
  } = {},
): Promise<Ended> {
  const proc = Bun.spawn(command, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
    stdin: options.stdin ?? "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: options.timeout ?? 10_000,
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

/** Run one of papo's CLIs to completion (for commands that exit by themselves). */
export function runCli(
  script: "server" | "client",
  args: string[],
  env?: Record<string, string | undefined>,
): Promise<Ended> {
  const all = script === "server" ? storeArgs(args) : args;
  return runToEnd(
    [process.execPath, join(ROOT, `src/cli/run-${script}.ts`), ...all],
    env === undefined ? {} : { env },
  );
}

/** Run the server CLI to completion. */
export function runServer(args: string[]): Promise<Ended> {
  return runCli("server", args);
}

/** A line of the server's output as words: itself, or a JSON log line's `msg`. */
export function logText(line: string): string {
  if (!line.startsWith("{")) return line;
  try {
    const msg = (JSON.parse(line) as { msg?: unknown }).msg;
    return typeof msg === "string" ? msg : line;
  } catch {
    return line;
  }
}
