import { describe, expect, test } from "bun:test";
import { type Interfaces, lanAddresses, listeningLines } from "../../src/cli/lan.ts";

/** A laptop on a classroom network: loopback, wifi with IPv4 and IPv6, a docker bridge. */
const LAPTOP: Interfaces = {
  lo: [
    { address: "127.0.0.1", family: "IPv4", internal: true },
    { address: "::1", family: "IPv6", internal: true },
  ],
  wlan0: [
    { address: "fe80::1c2b:3aff:fe4d:5e6f", family: "IPv6", internal: false },
    { address: "2001:db8:1::20", family: "IPv6", internal: false },
    { address: "192.168.1.20", family: "IPv4", internal: false },
  ],
  docker0: [{ address: "172.17.0.1", family: "IPv4", internal: false }],
  down: undefined,
};

describe("lanAddresses", () => {
  test("on 0.0.0.0: the IPv4 addresses that are not loopback", () => {
    expect(lanAddresses("0.0.0.0", LAPTOP)).toEqual(["192.168.1.20", "172.17.0.1"]);
  });

  test("on ::, IPv4 first, then IPv6 without loopback or link-local", () => {
    expect(lanAddresses("::", LAPTOP)).toEqual(["192.168.1.20", "172.17.0.1", "2001:db8:1::20"]);
    const linkLocalOnly: Interfaces = {
      eth0: [{ address: "FEBF::1", family: "IPv6", internal: false }],
    };
    expect(lanAddresses("::", linkLocalOnly)).toEqual([]);
  });

  test("an address on two interfaces is listed once", () => {
    const twice: Interfaces = {
      a: [{ address: "10.0.0.5", family: "IPv4", internal: false }],
      b: [{ address: "10.0.0.5", family: "IPv4", internal: false }],
    };
    expect(lanAddresses("0.0.0.0", twice)).toEqual(["10.0.0.5"]);
  });

  test("a specific host is the only address: nothing to add", () => {
    for (const host of ["127.0.0.1", "192.168.1.20", "::1", "localhost"]) {
      expect(lanAddresses(host, LAPTOP)).toEqual([]);
    }
  });
});

describe("listeningLines", () => {
  test("a specific host: just where it listens", () => {
    expect(listeningLines("127.0.0.1", 10101, LAPTOP)).toEqual([
      "papo listening on 127.0.0.1:10101",
    ]);
  });

  test("every interface: the first line stays, then the command for each address", () => {
    expect(listeningLines("::", 10101, LAPTOP)).toEqual([
      "papo listening on [::]:10101",
      "other machines join with:",
      "  npm run client -- --host 192.168.1.20 --port 10101",
      "  npm run client -- --host 172.17.0.1 --port 10101",
      "  npm run client -- --host 2001:db8:1::20 --port 10101",
    ]);
  });

  test("every interface but no network: says so rather than nothing", () => {
    const offline: Interfaces = { lo: LAPTOP.lo };
    expect(listeningLines("0.0.0.0", 4000, offline)).toEqual([
      "papo listening on 0.0.0.0:4000",
      "no network address besides loopback: other machines cannot reach this one yet",
    ]);
  });

  test("TLS: the first line says so, and students are told to bring the certificate", () => {
    expect(listeningLines("127.0.0.1", 10101, LAPTOP, true)).toEqual([
      "papo listening on 127.0.0.1:10101 (TLS)",
    ]);
    expect(listeningLines("0.0.0.0", 10101, LAPTOP, true)).toEqual([
      "papo listening on 0.0.0.0:10101 (TLS)",
      "other machines join with (a copy of the certificate as FILE):",
      "  npm run client -- --host 192.168.1.20 --port 10101 --ca FILE",
      "  npm run client -- --host 172.17.0.1 --port 10101 --ca FILE",
    ]);
  });

  test("the web client: its address after the first line, and one per address for other machines", () => {
    expect(listeningLines("127.0.0.1", 10101, LAPTOP, false, { port: 10102 })).toEqual([
      "papo listening on 127.0.0.1:10101",
      "web client on http://127.0.0.1:10102/",
    ]);
    expect(listeningLines("0.0.0.0", 10101, LAPTOP, true, { port: 10102 })).toEqual([
      "papo listening on 0.0.0.0:10101 (TLS)",
      "web client on https://127.0.0.1:10102/",
      "other machines join with (a copy of the certificate as FILE):",
      "  npm run client -- --host 192.168.1.20 --port 10101 --ca FILE",
      "  npm run client -- --host 172.17.0.1 --port 10101 --ca FILE",
      "or in a browser:",
      "  https://192.168.1.20:10102/",
      "  https://172.17.0.1:10102/",
    ]);
  });
});
