/**
 * The server over TLS: the same sessions, pacing, eviction and graceful close
 * as over plain TCP, with a self-signed certificate made for the test.
 */

import { expect, test } from "bun:test";
import { makeCert } from "../support/cert.ts";
import { eventually, join, serve } from "../support/server.ts";

const cert = makeCert();
const tls = { tlsCert: cert.certPath, tlsKey: cert.keyPath };
const LINE = "x".repeat(990);

function flood(sender: { write(s: string): void }, count: number, from = 0): void {
  const batch: string[] = [];
  for (let i = from; i < from + count; i++) {
    batch.push(`${i} ${LINE}\n`);
    if (batch.length === 256) sender.write(batch.splice(0).join(""));
  }
  if (batch.length) sender.write(batch.join(""));
}

test("two members chat over TLS", async () => {
  const server = serve(tls);
  expect(server.tls).toBe(true);
  const a = await join(server, "ana");
  const b = await join(server, "bia");
  await a.until((l) => l === "* bia joined");
  b.send("oi");
  expect(await a.next()).toBe("<bia> oi");
});

test("/quit over TLS gets * bye and then a clean close", async () => {
  const server = serve(tls);
  const a = await join(server, "ana");
  a.send("/quit");
  expect(await a.next()).toBe("* bye");
  await a.closed;
  await eventually(() => server.connectionCount() === 0);
});

test("openssl s_client joins and chats", async () => {
  const server = serve(tls);
  const ana = await join(server, "ana");
  const proc = Bun.spawn(
    ["openssl", "s_client", "-connect", `127.0.0.1:${server.port}`, "-quiet"],
    { stdin: "pipe", stdout: "pipe", stderr: "ignore" },
  );
  try {
    const reader = proc.stdout.getReader();
    let seen = "";
    const waitFor = async (text: string) => {
      const deadline = Date.now() + 5000;
      while (!seen.includes(text)) {
        if (Date.now() > deadline) throw new Error(`s_client never saw ${text}: ${seen}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`s_client ended before ${text}: ${seen}`);
        seen += new TextDecoder().decode(value);
      }
    };
    await waitFor("what is your name?");
    proc.stdin.write("sam\n");
    proc.stdin.flush();
    await waitFor("* hello sam!");
    await ana.until((l) => l === "* sam joined");
    proc.stdin.write("hello from openssl\n");
    proc.stdin.flush();
    expect(await ana.next()).toBe("<sam> hello from openssl");
    ana.send("hi sam");
    await waitFor("<ana> hi sam");
  } finally {
    proc.kill();
    await proc.exited;
  }
});

test("over TLS a reader that stops reading is evicted; the others get every line in order", async () => {
  const server = serve({ ...tls, maxQueueBytes: 1024 * 1024 });
  const slow = await join(server, "slow");
  const a = await join(server, "a");
  const b = await join(server, "b");
  await a.until((l) => l === "* b joined");
  slow.pause();
  const step = 200;
  let next = 0;
  let evictions = 0;
  for (let sent = 0; sent < 16_000; sent += step) {
    flood(b, step, sent);
    while (next < sent + step) {
      const line = await a.next(10_000);
      if (line === "* slow left (too slow)") evictions++;
      else expect(line).toBe(`<b> ${next++} ${LINE}`);
    }
  }
  if (evictions === 0) expect(await a.next()).toBe("* slow left (too slow)");
  else expect(evictions).toBe(1);
  await eventually(() => server.connectionCount() === 2);
  slow.resume();
  await slow.closed;
}, 30_000);

test("over TLS a reader that falls behind under the cap catches up with every line", async () => {
  const server = serve({ ...tls, maxQueueBytes: 64 * 1024 * 1024 });
  const lagging = await join(server, "lagging");
  const b = await join(server, "b");
  await lagging.until((l) => l === "* b joined");
  lagging.pause();
  const count = 8_000;
  flood(b, count);
  await eventually(() => b.unsent === 0, 10_000);
  await Bun.sleep(100);
  lagging.resume();
  for (let i = 0; i < count; i++) expect(await lagging.next(10_000)).toBe(`<b> ${i} ${LINE}`);
}, 30_000);

test("shutting down over TLS says goodbye and closes", async () => {
  const server = serve(tls);
  const a = await join(server, "ana");
  const stopping = server.stop();
  expect(await a.until((l) => l.includes("shutting down"))).toContain("shutting down");
  await a.closed;
  await stopping;
});
