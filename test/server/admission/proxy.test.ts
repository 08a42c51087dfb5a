import { describe, expect, test } from "bun:test";
import {
  clientAddress,
  isTrustedProxy,
  NO_PROXIES,
  ProxyListError,
  parseTrustedProxies,
  viaTrustedProxy,
} from "../../../src/server/admission/proxy.ts";

const proxies = parseTrustedProxies("10.0.0.1, 10.1.0.0/16,::1,fd00::/8");

describe("parseTrustedProxies", () => {
  test("addresses and ranges, IPv4 and IPv6; an IPv4-mapped peer is its IPv4 address", () => {
    for (const a of ["10.0.0.1", "::ffff:10.0.0.1", "10.1.255.3", "::1", "fd12:3456::9"]) {
      expect(isTrustedProxy(a, proxies)).toBe(true);
    }
    for (const a of ["10.0.0.2", "10.2.0.1", "::2", "fe80::1", "", "nonsense"]) {
      expect(isTrustedProxy(a, proxies)).toBe(false);
    }
    expect(isTrustedProxy("172.16.9.9", parseTrustedProxies("172.16.0.0/12"))).toBe(true);
    expect(isTrustedProxy("172.32.0.1", parseTrustedProxies("172.16.0.0/12"))).toBe(false);
    expect(isTrustedProxy("8.8.8.8", parseTrustedProxies("0.0.0.0/0"))).toBe(true);
  });

  test("nothing is trusted by default, or for an empty list", () => {
    expect(isTrustedProxy("127.0.0.1", NO_PROXIES)).toBe(false);
    expect(parseTrustedProxies(" , ").ranges).toEqual([]);
  });

  test("an entry that is not an address or a range is refused, by name", () => {
    for (const bad of [
      "proxy.local",
      "10.0.0.256",
      "10.0.0.0/33",
      "::1/129",
      "10.0.0.0/x",
      "1::2::3",
    ]) {
      expect(() => parseTrustedProxies(`10.0.0.1,${bad}`)).toThrow(ProxyListError);
      expect(() => parseTrustedProxies(bad)).toThrow(`"${bad}"`);
    }
  });
});

describe("clientAddress", () => {
  test("from a trusted proxy: the rightmost address that is not a trusted proxy", () => {
    expect(clientAddress("10.0.0.1", "203.0.113.7", proxies)).toBe("203.0.113.7");
    // The client's own (forged) entries are left of the one the proxy added.
    expect(clientAddress("10.0.0.1", "1.1.1.1, 203.0.113.7", proxies)).toBe("203.0.113.7");
    // Proxies in a chain are skipped.
    expect(clientAddress("10.0.0.1", "1.1.1.1, 203.0.113.7, 10.1.2.3", proxies)).toBe(
      "203.0.113.7",
    );
    expect(clientAddress("::ffff:10.0.0.1", "2001:DB8::7", proxies)).toBe("2001:db8::7");
  });

  test("every entry a trusted proxy: the leftmost", () => {
    expect(clientAddress("10.0.0.1", "10.1.0.5, 10.1.0.6", proxies)).toBe("10.1.0.5");
  });

  test("spaces, empty entries, ports and several headers (joined by commas)", () => {
    expect(clientAddress("10.0.0.1", "  203.0.113.7  ,, ", proxies)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.1", "203.0.113.7:5123", proxies)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.1", "[2001:db8::7]:443", proxies)).toBe("2001:db8::7");
    expect(clientAddress("10.0.0.1", "9.9.9.9, 203.0.113.7, 10.1.0.9", proxies)).toBe(
      "203.0.113.7",
    );
    expect(clientAddress("10.0.0.1", "::ffff:203.0.113.7", proxies)).toBe("203.0.113.7");
  });

  test("a malformed rightmost entry: the trusted hop that reported it", () => {
    expect(clientAddress("10.0.0.1", "203.0.113.7, unknown", proxies)).toBe("10.0.0.1");
    expect(clientAddress("10.0.0.1", "203.0.113.7, garbage, 10.1.0.9", proxies)).toBe("10.1.0.9");
    expect(clientAddress("10.0.0.1", "", proxies)).toBe("10.0.0.1");
  });

  test("from a peer that is not trusted: its own address, whatever the header says", () => {
    expect(clientAddress("198.51.100.4", "203.0.113.7", proxies)).toBe("198.51.100.4");
    expect(clientAddress("::ffff:198.51.100.4", "203.0.113.7", proxies)).toBe("198.51.100.4");
    expect(clientAddress("10.0.0.1", "203.0.113.7", NO_PROXIES)).toBe("10.0.0.1");
    expect(clientAddress("10.0.0.1", null, proxies)).toBe("10.0.0.1");
  });
});

describe("viaTrustedProxy", () => {
  test("a trusted peer that names a client; not a direct request, not an untrusted peer", () => {
    expect(viaTrustedProxy("10.0.0.1", "203.0.113.7", proxies)).toBe(true);
    expect(viaTrustedProxy("10.0.0.1", null, proxies)).toBe(false);
    expect(viaTrustedProxy("10.0.0.1", " ", proxies)).toBe(false);
    expect(viaTrustedProxy("198.51.100.4", "203.0.113.7", proxies)).toBe(false);
  });
});
