/**
 * The tls scenario's throwaway self-signed certificate, made with openssl
 * once per bench run in a temporary directory that is removed at exit.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let made: { certPath: string; keyPath: string } | null = null;

export function benchCert(): { certPath: string; keyPath: string } {
  if (made !== null) return made;
  if (Bun.which("openssl") === null) {
    throw new Error("the tls scenario needs openssl (apt-get install openssl)");
  }
  const dir = mkdtempSync(join(tmpdir(), "papo-bench-tls-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  const run = Bun.spawnSync(
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
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  if (!run.success) throw new Error(`openssl could not make a certificate: ${run.stderr}`);
  made = { certPath, keyPath };
  return made;
}
