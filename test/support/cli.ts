/** Runs `bun src/cli/server.ts` as a child process for tests of the command itself. */

import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");

export interface ServerProcess {
  port: number;
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** Every stdout line so far. */
  output: string[];
  /** Waits for exit; returns the code. */
  exited: Promise<number>;
}

/** Start the CLI with `args` and wait for its "listening on" line. */
export async function spawnServer(args: string[]): Promise<ServerProcess> {
  const proc = Bun.spawn([process.execPath, join(ROOT, "src/cli/server.ts"), ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const output: string[] = [];
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let partial = "";
  let announce: (port: number) => void = () => {};
  const listening = new Promise<number>((resolve) => {
    announce = resolve;
  });
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      partial += decoder.decode(value, { stream: true });
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        const m = /listening on .*:(\d+)(?: \(TLS\))?$/.exec(line);
        if (m) announce(Number(m[1]));
      }
    }
  })();
  const timeout = Bun.sleep(10_000).then(() => {
    proc.kill();
    throw new Error("server did not start");
  });
  const port = await Promise.race([listening, timeout]);
  return { port, proc, output, exited: proc.exited };
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

/** Run one of papo's CLIs to completion (for commands that exit by themselves). */
export async function runCli(
  script: "server" | "client",
  args: string[],
  env?: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, join(ROOT, `src/cli/${script}.ts`), ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: 10_000,
    ...(env ? { env } : {}),
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

/** Run the server CLI to completion. */
export function runServer(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli("server", args);
}
