/**
 * What the server says when it starts: where it listens and, when that is
 * every interface (a class on a LAN), the addresses other machines can type
 * with the exact command to join. Pure: the caller passes in what
 * os.networkInterfaces() returned.
 */

import type { NetworkInterfaceInfo } from "node:os";
import { hostPort } from "../net/address.ts";

/** The part of os.networkInterfaces() used here, so tests can pass a fake one. */
export type Interfaces = Readonly<
  Record<
    string,
    ReadonlyArray<Pick<NetworkInterfaceInfo, "address" | "family" | "internal">> | undefined
  >
>;

/** How a student starts the client, as the README's quick start does. */
const CLIENT_COMMAND = "npm run client --";

/**
 * Addresses of this machine that others can reach when it listens on `host`:
 * for 0.0.0.0 its IPv4 addresses, for :: those and then its IPv6 ones, never
 * loopback or link-local (fe80::/10, which needs a zone to be typed). Empty
 * for any other host, which is the one address there is.
 */
export function lanAddresses(host: string, interfaces: Interfaces): string[] {
  if (!listensEverywhere(host)) return [];
  const ipv6 = host === "::";
  const v4: string[] = [];
  const v6: string[] = [];
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      if (entry.family === "IPv4") v4.push(entry.address);
      else if (ipv6 && entry.family === "IPv6" && !/^fe[89ab]/i.test(entry.address)) {
        v6.push(entry.address);
      }
    }
  }
  return [...new Set([...v4, ...v6])];
}

/**
 * The startup lines: "papo listening on HOST:PORT" (with " (TLS)" when the
 * listener encrypts), the web client's address when it is served, then how
 * to join from elsewhere.
 */
export function listeningLines(
  host: string,
  port: number,
  interfaces: Interfaces,
  tls = false,
  web: { readonly port: number } | null = null,
): string[] {
  const lines = [`papo listening on ${hostPort(host, port)}${tls ? " (TLS)" : ""}`];
  const page = (address: string) =>
    `${tls ? "https" : "http"}://${hostPort(address, web?.port ?? 0)}/`;
  const shownHost = listensEverywhere(host) ? "127.0.0.1" : host;
  if (web !== null) lines.push(`web client on ${page(shownHost)}`);
  if (!listensEverywhere(host)) return lines;
  const addresses = lanAddresses(host, interfaces);
  if (addresses.length === 0) {
    lines.push("no network address besides loopback: other machines cannot reach this one yet");
    return lines;
  }
  // A self-signed certificate is the classroom case: students need a copy of it.
  lines.push(
    tls
      ? "other machines join with (a copy of the certificate as FILE):"
      : "other machines join with:",
  );
  const trust = tls ? " --ca FILE" : "";
  for (const address of addresses) {
    lines.push(`  ${CLIENT_COMMAND} --host ${address} --port ${port}${trust}`);
  }
  if (web !== null) {
    lines.push("or in a browser:");
    for (const address of addresses) lines.push(`  ${page(address)}`);
  }
  return lines;
}

/** 0.0.0.0 is every IPv4 interface; :: is every interface, IPv4 too on Linux and macOS. */
function listensEverywhere(host: string): boolean {
  return host === "0.0.0.0" || host === "::";
}
