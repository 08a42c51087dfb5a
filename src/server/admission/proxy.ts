/**
 * Behind a reverse proxy (--trust-proxy): which address a web request is
 * from. A proxy the operator trusts appends the address it was reached from
 * to X-Forwarded-For; read from the right, the first address that is not one
 * of the trusted proxies is the client, since everything left of it is the
 * client's own word. A request from any other peer keeps its own address and
 * its header is ignored. Pure: addresses in, an address out.
 */

/** Trusted proxies: addresses and CIDR ranges, each as 16 bytes (IPv4 mapped into IPv6). */
export interface TrustedProxies {
  readonly ranges: ReadonlyArray<{ readonly bytes: Uint8Array; readonly bits: number }>;
}

/** Nobody is trusted: every request keeps its own address (the default). */
export const NO_PROXIES: TrustedProxies = { ranges: [] };

/** An address or range in --trust-proxy that is neither; its message is meant for the user. */
export class ProxyListError extends Error {
  readonly code = "EPROXYLIST";
}

/**
 * "10.0.0.1, 10.1.0.0/16, ::1" as trusted proxies ("" trusts none); throws
 * a {@link ProxyListError} naming the first entry that is not an address or
 * a range.
 */
export function parseTrustedProxies(list: string): TrustedProxies {
  const ranges: Array<{ bytes: Uint8Array; bits: number }> = [];
  for (const raw of list.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const slash = entry.indexOf("/");
    const bytes = ipBytes(slash === -1 ? entry : entry.slice(0, slash));
    const v4 = bytes !== null && !entry.slice(0, slash === -1 ? undefined : slash).includes(":");
    const most = v4 ? 32 : 128;
    const prefix = slash === -1 ? most : Number(entry.slice(slash + 1));
    if (
      bytes === null ||
      (slash !== -1 && !/^\d{1,3}$/.test(entry.slice(slash + 1))) ||
      prefix > most
    ) {
      throw new ProxyListError(
        `--trust-proxy: "${entry}" is not an IP address or a range such as 10.0.0.0/8`,
      );
    }
    ranges.push({ bytes, bits: v4 ? prefix + 96 : prefix });
  }
  return { ranges };
}

/** Null when `list` can be --trust-proxy, else why not, in one sentence. */
export function proxyListProblem(list: string): string | null {
  try {
    parseTrustedProxies(list);
    return null;
  } catch (error) {
    if (error instanceof ProxyListError) return error.message;
    throw error;
  }
}

/** Whether `address` (IPv4, IPv6, or IPv4-mapped IPv6) is one of the trusted proxies. */
export function isTrustedProxy(address: string, trusted: TrustedProxies): boolean {
  if (trusted.ranges.length === 0) return false;
  const bytes = ipBytes(address);
  return bytes !== null && trusted.ranges.some((range) => within(bytes, range.bytes, range.bits));
}

/**
 * The client's address for a request from `peer` carrying `forwardedFor`
 * (every X-Forwarded-For header, joined by commas as Headers.get joins
 * them; null for none). From a trusted peer: the rightmost entry that is not
 * a trusted proxy; when every entry is one, the leftmost; when that rightmost
 * entry is not an address at all, the trusted hop that reported it (the
 * entry right of it, or the peer), since nothing better is known. From any
 * other peer: the peer, whatever the header says. IPv4-mapped addresses come
 * out as IPv4; ports some proxies add ("1.2.3.4:5678", "[::1]:80") are dropped.
 */
export function clientAddress(
  peer: string,
  forwardedFor: string | null,
  trusted: TrustedProxies,
): string {
  if (forwardedFor === null || !isTrustedProxy(peer, trusted)) return plainAddress(peer);
  let reporter = plainAddress(peer);
  const hops = forwardedFor.split(",");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = withoutPort((hops[i] as string).trim());
    if (hop === "") continue;
    if (ipBytes(hop) === null) return reporter;
    reporter = plainAddress(hop);
    if (!isTrustedProxy(hop, trusted)) return reporter;
  }
  return reporter;
}

/**
 * Whether a request from `peer` was forwarded by a trusted proxy: the peer
 * is one and the request names a client in X-Forwarded-For. Such a request
 * comes from wherever the proxy serves, not from the proxy's machine.
 */
export function viaTrustedProxy(
  peer: string,
  forwardedFor: string | null,
  trusted: TrustedProxies,
): boolean {
  return forwardedFor !== null && forwardedFor.trim() !== "" && isTrustedProxy(peer, trusted);
}

/** "::ffff:10.0.0.7" -> "10.0.0.7"; an IPv6 address in lower case; anything else as it is. */
function plainAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith("::ffff:") && lower.includes(".") ? lower.slice(7) : lower;
}

/** "1.2.3.4:80" -> "1.2.3.4"; "[::1]:80" and "[::1]" -> "::1"; others unchanged. */
function withoutPort(hop: string): string {
  if (hop.startsWith("[")) {
    const end = hop.indexOf("]");
    return end === -1 ? hop : hop.slice(1, end);
  }
  const colon = hop.indexOf(":");
  return colon !== -1 && colon === hop.lastIndexOf(":") && hop.includes(".")
    ? hop.slice(0, colon)
    : hop;
}

/** Whether the first `bits` bits of `a` and `b` agree. */
function within(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[whole] as number) & mask) === ((b[whole] as number) & mask);
}

/** An address as 16 bytes (IPv4 as ::ffff:a.b.c.d); null when it is not one. A zone is ignored. */
function ipBytes(text: string): Uint8Array | null {
  const address = text.split("%")[0] as string;
  if (!address.includes(":")) {
    const v4 = ipv4(address);
    if (v4 === null) return null;
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(v4, 12);
    return out;
  }
  return ipv6(address);
}

function ipv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    out.push(Number(part));
  }
  return out;
}

function ipv6(text: string): Uint8Array | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === "") return [];
    const out: number[] = [];
    const parts = half.split(":");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (i === parts.length - 1 && part.includes(".")) {
        const v4 = ipv4(part);
        if (v4 === null) return null;
        out.push(
          (v4[0] as number) * 256 + (v4[1] as number),
          (v4[2] as number) * 256 + (v4[3] as number),
        );
      } else if (/^[0-9a-f]{1,4}$/i.test(part)) out.push(Number.parseInt(part, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((group, i) => {
    out[2 * i] = group >> 8;
    out[2 * i + 1] = group & 0xff;
  });
  return out;
}
