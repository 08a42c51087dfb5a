/**
 * A throwaway self-signed certificate for TLS tests, made with openssl in a
 * temporary directory, for CN=localhost and IP 127.0.0.1. Without openssl
 * the tests fail with one sentence saying what to install (.ci/run installs it).
 */

import { afterAll } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCert {
  dir: string;
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

const MISSING =
  "openssl is not installed: install the Debian package openssl (apt-get install openssl)";

/** Make a certificate and key; the directory is removed after the file's tests. */
export function makeCert(): TestCert {
  if (Bun.which("openssl") === null) throw new Error(MISSING);
  const dir = mkdtempSync(join(tmpdir(), "papo-tls-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  const made = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  if (made.exitCode !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
  return {
    dir,
    certPath,
    keyPath,
    cert: readFileSync(certPath, "utf8"),
    key: readFileSync(keyPath, "utf8"),
  };
}
