/**
 * The server over TLS: the same sessions and graceful close as over plain
 * TCP, with a self-signed certificate made for the test (eviction and
 * catch-up over TLS are in backpressure.test.ts, beside plain TCP).
 */

import { expect, test } from "bun:test";
import { makeCert } from "../support/cert.ts";
import { eventually, join, serve } from "../support/server.ts";

const cert = makeCert();
const tls = { tlsCert: cert.certPath, tlsKey: cert.keyPath };
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

/** The `nc` of a TLS room: what people type, with what to install when it is missing. */
const TLS_CLIENTS = [
  {
    name: "openssl s_client",
    install: "openssl",
    argv: (port: number) => ["openssl", "s_client", "-connect", `127.0.0.1:${port}`, "-quiet"],
  },
  {
    name: "ncat --ssl",
    install: "ncat",
    argv: (port: number) => ["ncat", "--ssl", "127.0.0.1", String(port)],
  },
];

test.each(TLS_CLIENTS)("$name joins and chats", async ({ install, argv }) => {
  const server = serve(tls);
  const ana = await join(server, "ana");
  const [bin = ""] = argv(0);
  if (Bun.which(bin) === null) {
    throw new Error(`${bin} is not installed: install the Debian package ${install}`);
  }
  const proc = Bun.spawn(argv(server.port), { stdin: "pipe", stdout: "pipe", stderr: "ignore" });
  try {
    const reader = proc.stdout.getReader();
    let seen = "";
    const waitFor = async (text: string) => {
      const deadline = Date.now() + 5000;
      while (!seen.includes(text)) {
        if (Date.now() > deadline) throw new Error(`${bin} never saw ${text}: ${seen}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`${bin} ended before ${text}: ${seen}`);
        seen += new TextDecoder().decode(value);
      }
    };
    await waitFor("what is your name?");
    proc.stdin.write("sam\n");
    proc.stdin.flush();
    await waitFor("* hello sam!");
    await ana.until((l) => l === "* sam joined");
    proc.stdin.write("hello from the command line\n");
    proc.stdin.flush();
    expect(await ana.next()).toBe("<sam> hello from the command line");
    ana.send("hi sam");
    await waitFor("<ana> hi sam");
  } finally {
    proc.kill();
    await proc.exited;
  }
});

test("shutting down over TLS says goodbye and closes", async () => {
  const server = serve(tls);
  const a = await join(server, "ana");
  const stopping = server.stop();
  expect(await a.until((l) => l.includes("shutting down"))).toContain("shutting down");
  await a.closed;
  await stopping;
});
