import { describe, expect, test } from "bun:test";
import {
  addressKey,
  Gate,
  PASSWORD_PENALTY,
  samePassword,
} from "../../../src/server/admission/addresses.ts";

describe("Gate", () => {
  test("counts connections per address up to the cap; 0 means no cap", () => {
    const gate = new Gate(2);
    expect(gate.enter("10.0.0.1")).toBeNull();
    expect(gate.enter("10.0.0.1")).toBeNull();
    expect(gate.enter("10.0.0.1")).toBe("crowded");
    expect(gate.enter("10.0.0.2")).toBeNull();
    gate.leave("10.0.0.1");
    expect(gate.enter("10.0.0.1")).toBeNull();
    const open = new Gate(0);
    for (let i = 0; i < 100; i++) expect(open.enter("10.0.0.1")).toBeNull();
  });

  test("bans by address; unban by the address or by the name it was banned under", () => {
    const gate = new Gate(0);
    gate.ban("10.0.0.9", "Mallory");
    expect(gate.enter("10.0.0.9")).toBe("banned");
    expect(gate.unban("nobody")).toBeNull();
    expect(gate.unban("mallory")).toBe("10.0.0.9");
    expect(gate.enter("10.0.0.9")).toBeNull();
    gate.ban("10.0.0.9", "Mallory");
    expect(gate.unban("10.0.0.9")).toBe("10.0.0.9");
  });

  test("each wrong answer from an address is held twice as long as the last; right ones never", () => {
    const gate = new Gate(0);
    const a = "10.0.0.1";
    expect(gate.slotIn(a, 0)).toBe(0);
    expect(gate.failed(a, 0)).toBe(PASSWORD_PENALTY.firstMs);
    expect(gate.failed(a, 1000)).toBe(2 * PASSWORD_PENALTY.firstMs);
    expect(gate.failed(a, 2000)).toBe(4 * PASSWORD_PENALTY.firstMs);
    for (let i = 0; i < 10; i++) gate.failed(a, 3000 + i * 10_000);
    expect(gate.failed(a, 200_000)).toBe(PASSWORD_PENALTY.maxMs);
    // Nothing held now: a password from the address is checked at once.
    expect(gate.slotIn(a, 300_000)).toBe(0);
    // Another address is not slowed.
    expect(gate.slotIn("10.0.0.2", 0)).toBe(0);
  });

  test("more connections are not more guesses: past the held answers allowed, a password waits", () => {
    const gate = new Gate(0);
    const a = "10.0.0.1";
    const held = Array.from({ length: PASSWORD_PENALTY.heldPerAddress }, () => gate.failed(a, 0));
    expect(held.at(-1)).toBeGreaterThan(held[0] as number);
    // The first held answer ends at firstMs: until then a further password waits.
    expect(gate.slotIn(a, 10)).toBe(PASSWORD_PENALTY.firstMs - 10);
    expect(gate.slotIn(a, PASSWORD_PENALTY.firstMs)).toBe(0);
  });

  test("a quiet address is forgiven", () => {
    const gate = new Gate(0);
    gate.failed("10.0.0.1", 0);
    expect(gate.failed("10.0.0.1", PASSWORD_PENALTY.forgetMs + 1)).toBe(PASSWORD_PENALTY.firstMs);
  });

  test("an IPv6 address counts, is banned and is slowed down as its /64", () => {
    expect(addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2::5")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("10.0.0.1")).toBe("10.0.0.1");
    expect(addressKey(addressKey("2001:db8:1:2::5"))).toBe("2001:db8:1:2::/64");
    // As an operator types it, and an IPv4 peer of an IPv6 socket.
    expect(addressKey("2001:db8::/64")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::ffff:10.0.0.7")).toBe("10.0.0.7");
    expect(addressKey("2001:DB8:1:2::1")).toBe("2001:db8:1:2::/64");
    const gate = new Gate(2);
    expect(gate.enter("2001:db8:1:2::1")).toBeNull();
    expect(gate.enter("2001:db8:1:2::2")).toBeNull();
    expect(gate.enter("2001:db8:1:2::3")).toBe("crowded");
    expect(gate.enter("2001:db8:1:3::1")).toBeNull();
    gate.ban("2001:db8:1:3::1", "mallory");
    expect(gate.enter("2001:db8:1:3:ffff::9")).toBe("banned");
    expect(gate.unban("2001:db8:1:3::77")).toBe("2001:db8:1:3::/64");
    for (let i = 0; i < PASSWORD_PENALTY.heldPerAddress; i++) gate.failed(`2001:db8:9:9::${i}`, 0);
    expect(gate.slotIn("2001:db8:9:9::abcd", 0)).toBeGreaterThan(0);
  });

  test("samePassword compares whole strings", () => {
    expect(samePassword("sesame", "sesame")).toBe(true);
    expect(samePassword("sesam", "sesame")).toBe(false);
    expect(samePassword("", "sesame")).toBe(false);
  });
});
