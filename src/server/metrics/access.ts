/**
 * Who may read /metrics: the machine itself, and whoever shows the token.
 * Pure (no Bun, no sockets): the web server and the metrics port both ask
 * metricsAllowed with what they know of the request.
 *
 * A request from loopback that a proxy forwarded is not the machine asking:
 * behind a proxy on the same host every request comes from loopback, so
 * those need the token like any other.
 */

import { samePassword } from "../admission/addresses.ts";

/** What the metrics answer: let it in, or why not (401 asks for the token, 403 has none to ask for). */
export type Verdict = "allowed" | "token" | "refused";

/** Whether `address` is this machine: 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6. */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase();
  if (a === "::1" || a === "0:0:0:0:0:0:0:1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * Whether the request says a proxy forwarded it (X-Forwarded-For,
 * Forwarded, X-Real-IP). NOTE: deliberately any such header, from a proxy
 * named in --trust-proxy or not: a same-host proxy the operator forgot to
 * name still brings the world's requests from loopback, and those must not
 * read /metrics without the token. A header can only make the rule stricter.
 */
export function forwardedBy(headers: Headers): boolean {
  return headers.has("x-forwarded-for") || headers.has("forwarded") || headers.has("x-real-ip");
}

/** The token of `Authorization: Bearer TOKEN`, or "" for none. */
export function bearer(headers: Headers): string {
  const header = headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? "";
}

/**
 * May this request read /metrics? From loopback and not forwarded: yes.
 * Otherwise only with `token` (--metrics-token) set and shown as a bearer
 * token, compared in constant time; "token" when one could be shown,
 * "refused" when the server has none to check.
 */
export function metricsAllowed(
  request: { readonly headers: Headers },
  clientAddress: string,
  forwarded: boolean,
  token: string,
): Verdict {
  if (isLoopback(clientAddress) && !forwarded) return "allowed";
  if (token === "") return "refused";
  const shown = bearer(request.headers);
  return shown !== "" && samePassword(shown, token) ? "allowed" : "token";
}
