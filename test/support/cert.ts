/**
 * A throwaway self-signed certificate for TLS tests (bench/cert.ts makes it),
 * with its PEM text. Without openssl the tests fail with one sentence saying
 * what to install (.ci/run installs it).
 */

import { afterAll } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { type CertFiles, selfSigned } from "../../bench/cert.ts";

export interface TestCert extends CertFiles {
  cert: string;
  key: string;
}

/** Make a certificate and key; the directory is removed after the file's tests. */
export function makeCert(): TestCert {
  const files = selfSigned("papo-tls-");
  afterAll(() => rmSync(files.dir, { recursive: true, force: true }));
  return {
    ...files,
    cert: readFileSync(files.certPath, "utf8"),
    key: readFileSync(files.keyPath, "utf8"),
  };
}
