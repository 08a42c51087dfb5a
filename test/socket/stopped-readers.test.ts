/**
 * Readers whose process stops for a moment (SIGSTOP: a laptop lid, a garbage
 * collection, a busy machine) in the middle of a flood, and readers slower
 * than the sender: each reader is a process of its own, the server too, so
 * that only the kernel and the server stand between them.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { join as joinPath } from "node:path";
import { type ServerProcess, spawnServer } from "../support/cli.ts";
import type { LineClient } from "../support/lineclient.ts";
import { eventually, join } from "../support/server.ts";

const READER = joinPath(import.meta.dir, "..", "support", "reader.ts");
/** Lines of 80 bytes with their newline: "N " and padding. */
const LINE_BYTES = 80;

interface Reader {
  proc: Bun.Subprocess<"ignore", "pipe", "inherit">;
  /** Resolves with the reader's last line: "done N", "closed after N", … */
  outcome: Promise<string>;
}

const started: Array<{ kill(): void }> = [];
afterEach(() => {
  for (const p of started.splice(0)) p.kill();
});

async function startServer(extra: string[] = []): Promise<ServerProcess> {
  const server = await spawnServer([
    ...extra,
    "--port",
    "0",
    "--no-web",
    "--quiet",
    "--rate-limit",
    "0",
    "--history",
    "0",
    "--max-per-address",
    "0",
  ]);
  started.push(server.proc);
  return server;
}

/** Start a reader process and wait until it is in the room. */
async function reader(port: number, name: string, count: number, pauseMs = 0): Promise<Reader> {
  const proc = Bun.spawn(
    [process.execPath, READER, String(port), name, "s", String(count), String(pauseMs)],
    { stdin: "ignore", stdout: "pipe", stderr: "inherit" },
  );
  started.push(proc);
  const lines = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const nextLine = async (): Promise<string> => {
    while (!text.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) return text;
      text += value;
    }
    const at = text.indexOf("\n");
    const line = text.slice(0, at);
    text = text.slice(at + 1);
    return line;
  };
  expect(await nextLine()).toBe("joined");
  return { proc, outcome: nextLine() };
}

/** `count` numbered lines of LINE_BYTES from `sender`, never more than ~1 MB ahead of the kernel. */
async function flood(
  sender: LineClient,
  count: number,
  at: (sent: number) => void = () => {},
): Promise<void> {
  const batch: string[] = [];
  for (let i = 0; i < count; i++) {
    const head = `${i} `;
    batch.push(`${head}${"x".repeat(LINE_BYTES - head.length - 1)}\n`);
    if (batch.length === 1000 || i === count - 1) {
      sender.write(batch.splice(0).join(""));
      at(i + 1);
      if (sender.unsent > 1024 * 1024) await eventually(() => sender.unsent < 256 * 1024, 30_000);
    }
  }
  await eventually(() => sender.unsent === 0, 30_000);
}

/** The server's resident memory, from /proc. */
async function rss(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  const kib = /VmRSS:\s+(\d+) kB/.exec(status);
  return Number(kib?.[1] ?? 0) * 1024;
}

describe("readers that stop for a moment or read slowly", () => {
  test("readers stopped for 0.4 s and 1.5 s mid-flood get every line in order and stay", async () => {
    const server = await startServer();
    const count = 200_000;
    const steady = await reader(server.port, "steady", count);
    const brief = await reader(server.port, "brief", count);
    const longer = await reader(server.port, "longer", count);
    const sender = await join(server, "s");
    const stops: Array<Promise<void>> = [];
    const stop = (r: Reader, ms: number) => {
      r.proc.kill("SIGSTOP");
      stops.push(Bun.sleep(ms).then(() => void r.proc.kill("SIGCONT")));
    };
    let stopped = false;
    await flood(sender, count, (sent) => {
      if (stopped || sent < count / 4) return;
      stopped = true;
      stop(brief, 400);
      stop(longer, 1500);
    });
    await Promise.all(stops);
    expect(await steady.outcome).toBe(`done ${count}`);
    expect(await brief.outcome).toBe(`done ${count}`);
    expect(await longer.outcome).toBe(`done ${count}`);
  }, 60_000);

  test("one member that never reads holds the room up for nobody; six readers, some slower than the sender, get every line", async () => {
    const server = await startServer();
    const count = 400_000; // 32 MB: all of it within the default window
    const readers: Reader[] = [];
    for (let i = 0; i < 6; i++) {
      // Three read as fast as they can, three stop for 2 ms after every chunk.
      readers.push(await reader(server.port, `r${i}`, count, i % 2 === 0 ? 0 : 2));
    }
    const never: LineClient = await join(server, "never");
    never.pause();
    const sender = await join(server, "s");
    const before = await rss(server.proc.pid);
    let peak = before;
    const sampling = setInterval(async () => {
      peak = Math.max(peak, await rss(server.proc.pid));
    }, 20);
    try {
      await flood(sender, count);
      for (const r of readers) expect(await r.outcome).toBe(`done ${count}`);
    } finally {
      clearInterval(sampling);
    }
    // Still in the room, and owed every line: it reads them all once it reads again.
    sender.send("/who");
    expect(await sender.until((l) => l.startsWith("* online"), 10_000)).toContain("never");
    const growth = peak - before;
    expect(growth).toBeLessThan(200 * 1024 * 1024);
    console.log(`server memory grew by ${(growth / 2 ** 20).toFixed(1)} MiB during 32 MB`);
    never.resume();
    for (let i = 0; i < count; i++) {
      const line = await never.until((l) => l.startsWith("<s> "), 10_000);
      expect(line.slice(4, line.indexOf(" ", 4))).toBe(String(i));
    }
  }, 120_000);

  test("with a 4 MiB window, 64 MB said past a member that never reads: memory levels off, it is told what it missed", async () => {
    const server = await startServer(["--window-bytes", String(4 * 1024 * 1024)]);
    const count = 800_000; // 64 MB
    const readers: Reader[] = [];
    for (let i = 0; i < 2; i++) readers.push(await reader(server.port, `r${i}`, count));
    const never: LineClient = await join(server, "never");
    never.pause();
    const sender = await join(server, "s");
    const before = await rss(server.proc.pid);
    let peak = before;
    // The peak over the first half of the flood: past it, memory must level off.
    let halfway = 0;
    const sampling = setInterval(async () => {
      peak = Math.max(peak, await rss(server.proc.pid));
    }, 20);
    try {
      await flood(sender, count, (sent) => {
        if (halfway === 0 && sent >= count / 2) halfway = peak;
      });
      // In order; a reader the machine stopped for longer than the window is told what it missed.
      for (const r of readers)
        expect(await r.outcome).toMatch(new RegExp(`^done ${count}( missed \\d+)?$`));
    } finally {
      clearInterval(sampling);
    }
    const growth = peak - before;
    const late = peak - halfway;
    console.log(`second half of the flood: ${(late / 2 ** 20).toFixed(1)} MiB more`);
    console.log(
      `server memory grew by ${(growth / 2 ** 20).toFixed(1)} MiB during 64 MB, window 4 MiB`,
    );
    // A window that grew with the flood would take 64 MB and more. (On a quiet machine the
    // second 32 MB add 1-4 MiB; on a busy one the collector lags, so that is only reported.)
    expect(growth).toBeLessThan(100 * 1024 * 1024);
    never.resume();
    const told = await never.until((l) => l.startsWith("* you missed "), 10_000);
    const missed = Number(/(\d+)/.exec(told)?.[1]);
    expect(missed).toBeGreaterThan(count / 2);
    // Then the newest lines, in order, to the last one said.
    expect(await never.until((l) => l.startsWith(`<s> ${count - 1} `), 10_000)).toBeDefined();
  }, 120_000);
});
