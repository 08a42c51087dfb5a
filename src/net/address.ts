/** How papo writes an address for people: "host:port", IPv6 hosts in brackets. */

/** "127.0.0.1:10101", "[::1]:10101". */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
