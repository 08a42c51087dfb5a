/**
 * The names the web port answers to (the defence against DNS rebinding):
 * shared by the page's server (http.ts) and the metrics port
 * (metrics/routes.ts).
 */

import { hostname } from "node:os";
import { interfacesOrNone } from "../../net/interfaces.ts";

/**
 * The names a page of this server may be reached by: the listening address
 * (or, listening on every interface, each of the machine's addresses),
 * loopback, the machine's own name, and the operator's --web-hosts.
 */
export function knownHosts(listening: string, extra: string): Set<string> {
  const hosts = new Set(["localhost", "127.0.0.1", "::1", hostname().toLowerCase()]);
  hosts.add(`${hostname().toLowerCase()}.local`);
  hosts.add(listening.toLowerCase());
  if (listening === "0.0.0.0" || listening === "::") {
    for (const list of Object.values(interfacesOrNone())) {
      for (const address of list ?? []) hosts.add(address.address.toLowerCase());
    }
  }
  for (const name of extra.split(",")) if (name.trim() !== "") hosts.add(name.trim().toLowerCase());
  return hosts;
}

/** "Host: [::1]:10102" -> "::1"; "Example.org:80" -> "example.org". */
export function hostOnly(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") === -1 ? undefined : h.indexOf("]"));
  const colon = h.lastIndexOf(":");
  return colon === -1 || h.indexOf(":") !== colon ? h : h.slice(0, colon);
}
