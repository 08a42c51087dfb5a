/**
 * How a run of the client ends: the exit status and the one sentence the user
 * reads. Failures are values with codes, never stack traces. Pure.
 */

import { hostPort } from "../../net/address.ts";
import type { Strings } from "../strings.ts";
import type { Ending } from "./state.ts";

/** Exit statuses, part of the client's contract with scripts. */
export const EXIT = {
  /** Left with /quit (or end of input, Ctrl-C, Ctrl-D). */
  ok: 0,
  /** Could not connect or join, or bad flags. */
  failed: 1,
  /** The server went away, or ended the session (a kick or ban). */
  lost: 2,
} as const;

/** Why a connection could not be set up. */
export type ConnectFailure =
  | { code: "refused" }
  | { code: "unknown-host" }
  | { code: "timeout" }
  /** Closed before greeting, without a word. */
  | { code: "closed" }
  /** Closed before greeting, after a "! " line ("server full"); `banned` will not change. */
  | { code: "server"; reason: string; banned: boolean }
  /** The TLS handshake refused the server's certificate; `reason` is its error code. */
  | { code: "certificate"; reason: string; detail: string }
  | { code: "other"; detail: string };

/** Sort an error thrown by Bun.connect by its system error code. */
export function classifyConnectError(error: unknown): ConnectFailure {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return { code: "refused" };
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_AGAIN":
    case "EAI_FAIL":
      return { code: "unknown-host" };
    case "ETIMEDOUT":
      return { code: "timeout" };
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return { code: "other", detail: typeof code === "string" ? `${detail} (${code})` : detail };
    }
  }
}

/** The handshake's code for a certificate made out for other host names. */
const HOST_MISMATCH = "ERR_TLS_CERT_ALTNAME_INVALID";

/** The failure for a TLS handshake that did not succeed, from Bun's authorization error. */
export function classifyHandshakeError(error: Error | null | undefined): ConnectFailure {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return {
    code: "certificate",
    reason: typeof code === "string" ? code : "",
    detail: error?.message ?? "handshake failed",
  };
}

/** The sentence for a failed connection. */
export function describeFailure(
  failure: ConnectFailure,
  target: { host: string; port: number; connectTimeoutMs: number },
  s: Strings,
): string {
  const address = hostPort(target.host, target.port);
  return s.cannotConnect(address, cause(failure, target, s));
}

function cause(
  failure: ConnectFailure,
  target: { host: string; connectTimeoutMs: number },
  s: Strings,
): string {
  switch (failure.code) {
    case "refused":
      return s.causeRefused;
    case "unknown-host":
      return s.causeUnknownHost(target.host);
    case "timeout":
      return s.causeTimedOut(Math.round(target.connectTimeoutMs / 100) / 10);
    case "closed":
      return s.causeClosed;
    case "server":
      return s.causeServer(failure.reason);
    case "certificate":
      // Trusted, but for other names: --ca or --insecure would not be the answer.
      if (failure.reason === HOST_MISMATCH) return s.causeWrongHost(target.host);
      return s.causeCertificate(s.certProblem(failure.reason, failure.detail));
    case "other":
      return s.causeOther(failure.detail);
  }
}

/** The sentence shown when a session ends, or null when nothing needs saying. */
export function describeEnding(ending: Ending, s: Strings): string | null {
  switch (ending.kind) {
    case "quit":
      return null;
    case "lost":
      return s.connectionLost;
    case "shutdown":
    case "removed":
      return s.disconnected(ending.notice);
    case "refused":
      return s.nameRefused(ending.reason);
  }
}

/** The exit status for how a session ended. */
export function exitCode(ending: Ending): number {
  switch (ending.kind) {
    case "quit":
      return EXIT.ok;
    case "refused":
      return EXIT.failed;
    case "lost":
    case "shutdown":
    case "removed":
      return EXIT.lost;
  }
}
