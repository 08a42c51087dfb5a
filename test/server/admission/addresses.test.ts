import { describe, expect, test } from "bun:test";
import { Gate, PASSWORD_PENALTY, samePassword } from "../../../src/server/admission/addresses.ts";

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

  test("each wrong password makes the next check from that address wait twice as long", () => {
    const gate = new Gate(0);
    const a = "10.0.0.1";
    expect(gate.wait(a, 0)).toBe(0);
    gate.failed(a, 0);
    const first = gate.wait(a, 0);
    expect(first).toBe(PASSWORD_PENALTY.firstMs);
    gate.failed(a, first);
    expect(gate.wait(a, first)).toBeGreaterThanOrEqual(2 * PASSWORD_PENALTY.firstMs);
    // Another address is not slowed.
    expect(gate.wait("10.0.0.2", 0)).toBe(0);
    gate.passed(a);
    expect(gate.wait(a, first)).toBe(0);
  });

  test("checks waiting in parallel from one address take turns instead of all going at once", () => {
    const gate = new Gate(0);
    const a = "10.0.0.1";
    gate.failed(a, 0);
    const waits = Array.from({ length: 5 }, () => gate.wait(a, 10));
    expect(waits).toEqual([240, 490, 740, 990, 1240]);
  });

  test("a quiet address is forgiven", () => {
    const gate = new Gate(0);
    gate.failed("10.0.0.1", 0);
    expect(gate.wait("10.0.0.1", PASSWORD_PENALTY.forgetMs + 1)).toBe(0);
  });

  test("samePassword compares whole strings", () => {
    expect(samePassword("sesame", "sesame")).toBe(true);
    expect(samePassword("sesam", "sesame")).toBe(false);
    expect(samePassword("", "sesame")).toBe(false);
  });
});
