/**
 * The piped client over TLS against a real TLS server on port 0: --ca and
 * --insecure chat, and an untrusted certificate is one sentence and exit 1;
 * the interactive client's link keeps TLS when it reconnects.
 */

import { expect, test } from "bun:test";
import { join as joinPath } from "node:path";
import { Link } from "../../src/client/core/link.ts";
import { SERVER_DEFAULTS } from "../../src/config.ts";
import { startServer } from "../../src/server/server.ts";
import { makeCert } from "../support/cert.ts";
import { type Ended, runToEnd } from "../support/cli.ts";
import { optionsFor } from "../support/client.ts";
import { eventually, join, serve } from "../support/server.ts";

const ROOT = joinPath(import.meta.dir, "..", "..");
const cert = makeCert();
const other = makeCert();

function client(args: string[], input: string, lang = "C.UTF-8"): Promise<Ended> {
  const env: Record<string, string | undefined> = { ...process.env, LANG: lang };
  delete env.LC_ALL;
  delete env.LC_MESSAGES;
  delete env.PAPO_ROOM_PASSWORD;
  return runToEnd([process.execPath, "src/cli/run-client.ts", ...args], {
    cwd: ROOT,
    env,
    stdin: new Blob([input]),
  });
}

const tlsServer = () => serve({ tlsCert: cert.certPath, tlsKey: cert.keyPath });

test("with --ca the client chats over TLS and leaves with * bye", async () => {
  const server = tlsServer();
  const bia = await join(server, "bia");
  const run = await client(["-p", String(server.port), "--ca", cert.certPath], "ana\nhello\n");
  expect(await bia.until((l) => l.startsWith("<ana>"))).toBe("<ana> hello");
  expect(run.stderr).toBe("");
  expect(run.stdout).toContain("* hello ana!");
  expect(run.stdout.trimEnd().endsWith("* bye")).toBe(true);
  expect(run.code).toBe(0);
});

test("with --insecure the client chats, after a one-line warning", async () => {
  const server = tlsServer();
  const bia = await join(server, "bia");
  const run = await client(["-p", String(server.port), "--insecure"], "ana\nhello\n");
  expect(await bia.until((l) => l.startsWith("<ana>"))).toBe("<ana> hello");
  expect(run.stderr).toBe(
    "Warning: --insecure accepts any certificate; the connection is encrypted but anyone in between could read it.\n",
  );
  expect(run.code).toBe(0);
});

const UNTRUSTED = (port: number, why: string) =>
  `Cannot connect to 127.0.0.1:${port}: the server's certificate is not trusted (${why}); use --ca FILE or --insecure.\n`;

test("--tls without --ca refuses a self-signed certificate in one sentence", async () => {
  const server = tlsServer();
  const run = await client(["-p", String(server.port), "--tls"], "ana\n");
  expect(run.stderr).toBe(UNTRUSTED(server.port, "self-signed certificate"));
  expect(run.stdout).toBe("");
  expect(run.code).toBe(1);
});

test("--ca with another certificate refuses the server's", async () => {
  const server = tlsServer();
  const run = await client(["-p", String(server.port), "--ca", other.certPath], "ana\n");
  expect(run.stderr).toBe(UNTRUSTED(server.port, "self-signed certificate"));
  expect(run.code).toBe(1);
});

test("--ca with the right certificate for another host name says the name does not match", async () => {
  // The certificate names localhost and 127.0.0.1; the server listens on 127.0.0.2.
  const server = serve({ host: "127.0.0.2", tlsCert: cert.certPath, tlsKey: cert.keyPath });
  const run = await client(
    ["--host", "127.0.0.2", "-p", String(server.port), "--ca", cert.certPath],
    "ana\n",
  );
  expect(run.stderr).toBe(
    `Cannot connect to 127.0.0.2:${server.port}: the server's certificate is not made out for 127.0.0.2: connect by a name it is made out for.\n`,
  );
  expect(run.code).toBe(1);
});

test("the refusal comes in Portuguese too", async () => {
  const server = tlsServer();
  const run = await client(["-p", String(server.port), "--tls"], "ana\n", "pt_BR.UTF-8");
  expect(run.stderr).toBe(
    `Não foi possível conectar a 127.0.0.1:${server.port}: o certificado do servidor não é confiável (certificado autoassinado); use --ca ARQUIVO ou --insecure.\n`,
  );
  expect(run.code).toBe(1);
});

test("an unreadable --ca file is one sentence and exit 1", async () => {
  const run = await client(["--ca", joinPath(cert.dir, "missing.pem")], "ana\n");
  expect(run.stderr).toBe(
    `Cannot read the certificate "${joinPath(cert.dir, "missing.pem")}" given with --ca: no such file.\n`,
  );
  expect(run.code).toBe(1);
});

test("reconnecting keeps TLS: the link rejoins a restarted TLS server", async () => {
  const tls = { tlsCert: cert.certPath, tlsKey: cert.keyPath };
  const start = (port: number) =>
    startServer({
      ...SERVER_DEFAULTS,
      web: false,
      ...tls,
      port,
      quiet: true,
      rateLimit: 0,
      historyLines: 0,
    });
  const first = start(0);
  const port = first.port;
  const joined: string[] = [];
  const ignore = () => {};
  const link = new Link(
    optionsFor(port, { name: "ana" }, { tls: { ca: cert.cert, insecure: false } }),
    {
      line: ignore,
      askPassword: ignore,
      passwordAccepted: ignore,
      askName: ignore,
      joined: (name) => joined.push(name),
      renamed: ignore,
      offline: ignore,
      say: ignore,
    },
  );
  expect(await link.start()).toBeNull();
  await eventually(() => joined.length === 1);
  await first.stop();
  // A plain-TCP retry would get no greeting from a TLS server and never rejoin.
  const second = start(port);
  try {
    await eventually(() => joined.length === 2, 5000);
    link.quit();
    expect(await link.done).toEqual({ kind: "ended", ending: { kind: "quit" } });
  } finally {
    await second.stop();
  }
});
