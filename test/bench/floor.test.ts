import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Socket, Subprocess } from "bun";

/**
 * The floor baseline over real sockets: one greeting per name, every line to
 * everyone else once, lines split over several reads, no echo to the sender.
 */

const FLOOR = join(import.meta.dir, "../../bench/baselines/floor.ts");
let proc: Subprocess<"ignore", "pipe", "inherit">;
let port = 0;

beforeAll(async () => {
  proc = Bun.spawn([process.execPath, FLOOR, "--port", "0"], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.getReader();
  let seen = "";
  while (!/listening on .*:\d+\n/.test(seen)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`floor did not start: ${seen}`);
    seen += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  port = Number(/:(\d+)\n/.exec(seen)?.[1]);
});

afterAll(() => proc.kill());

interface Peer {
  socket: Socket<undefined>;
  text: () => string;
}

async function enter(name: string): Promise<Peer> {
  let text = "";
  const decoder = new TextDecoder();
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data: (_s, chunk) => {
        text += decoder.decode(chunk, { stream: true });
      },
    },
  });
  socket.write(`${name}\n`);
  await until(() => text.includes("\n"));
  return { socket, text: () => text };
}

async function until(ok: () => boolean): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!ok()) {
    if (performance.now() > deadline) throw new Error("timed out");
    await Bun.sleep(5);
  }
}

describe("floor baseline", () => {
  test("greets each name, relays each line to everyone else once, never back", async () => {
    const a = await enter("ana");
    const b = await enter("bia");
    const c = await enter("caio");
    expect(a.text()).toBe("* hello ana\n");
    a.socket.write("one\ntw");
    b.socket.write("x1\n");
    await until(() => c.text().includes("<b"));
    a.socket.write("o\n");
    await until(() => c.text().split("\n").length === 5 && b.text().includes("two"));
    await Bun.sleep(20);
    expect(a.text()).toBe("* hello ana\n<bia> x1\n");
    expect(b.text()).toBe("* hello bia\n<ana> one\n<ana> two\n");
    expect(c.text().split("\n").sort()).toEqual(
      ["* hello caio", "<ana> one", "<ana> two", "<bia> x1", ""].sort(),
    );
    for (const p of [a, b, c]) p.socket.end();
  });

  test("a turn too big to gather reaches everyone else whole, in order", async () => {
    const a = await enter("dora");
    const b = await enter("eva");
    const lines = Array.from({ length: 400 }, (_, i) => `${i}`.padEnd(64, "x"));
    a.socket.write(`${lines.join("\n")}\n`);
    b.socket.write("hi\n");
    await until(() => b.text().split("\n").length === 402 && a.text().includes("<eva> hi"));
    await Bun.sleep(20);
    expect(b.text()).toBe(`* hello eva\n${lines.map((l) => `<dora> ${l}\n`).join("")}`);
    expect(a.text()).toBe("* hello dora\n<eva> hi\n");
    for (const p of [a, b]) p.socket.end();
  });
});
