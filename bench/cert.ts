/**
 * A throwaway self-signed certificate made with openssl, for CN=localhost and
 * IP 127.0.0.1, in a temporary directory: the tls scenario's (once per run,
 * removed at exit), and the TLS tests' (test/support/cert.ts).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CertFiles {
  dir: string;
  certPath: string;
  keyPath: string;
}

/** Said when openssl is missing: what to install. */
export const OPENSSL_MISSING =
  "openssl is not installed: install the Debian package openssl (apt-get install openssl)";

/** Make a certificate and key in a new temporary directory (the caller removes it). */
export function selfSigned(prefix: string): CertFiles {
  if (Bun.which("openssl") === null) throw new Error(OPENSSL_MISSING);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  const run = Bun.spawnSync(
    [
      ...["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
      ...["-nodes", "-days", "1", "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
      ...["-keyout", keyPath, "-out", certPath],
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  if (!run.success) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl could not make a certificate: ${run.stderr}`);
  }
  return { dir, certPath, keyPath };
}

let made: CertFiles | null = null;

/** The tls scenario's certificate: made once per bench run, removed at exit. */
export function benchCert(): CertFiles {
  if (made !== null) return made;
  const files = selfSigned("papo-bench-tls-");
  process.on("exit", () => rmSync(files.dir, { recursive: true, force: true }));
  made = files;
  return made;
}
