/** `bun run server` with --tls-cert and --tls-key: both or neither, readable, and said at startup. */

import { expect, test } from "bun:test";
import { join } from "node:path";
import { makeCert } from "../support/cert.ts";
import { runServer, withServer } from "../support/cli.ts";

const cert = makeCert();

test("the listening line says TLS", async () => {
  await withServer(
    ["-p", "0", "-q", "--tls-cert", cert.certPath, "--tls-key", cert.keyPath],
    async (child) => {
      expect(child.output[0]).toBe(`papo listening on 127.0.0.1:${child.port} (TLS)`);
    },
  );
});

test("one flag without the other is one sentence and exit 1", async () => {
  for (const flag of ["--tls-cert", "--tls-key"]) {
    const { code, stdout, stderr } = await runServer(["-p", "0", flag, cert.certPath]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("papo: --tls-cert and --tls-key go together: give both or neither\n");
  }
});

test("an unreadable file is one sentence and exit 1", async () => {
  const missing = join(cert.dir, "missing.pem");
  const { code, stderr } = await runServer([
    "-p",
    "0",
    "--tls-cert",
    missing,
    "--tls-key",
    cert.keyPath,
  ]);
  expect(code).toBe(1);
  expect(stderr).toBe(`papo: cannot read --tls-cert ${missing}: no such file\n`);
});

test("a key that is not a key is one sentence and exit 1", async () => {
  const { code, stderr } = await runServer([
    "-p",
    "0",
    "--tls-cert",
    cert.certPath,
    "--tls-key",
    cert.certPath,
  ]);
  expect(code).toBe(1);
  expect(stderr).toStartWith(
    `papo: cannot use the certificate ${cert.certPath} with the key ${cert.certPath}: `,
  );
  expect(stderr.trim().split("\n")).toHaveLength(1);
});
