import { describe, expect, test } from "bun:test";
import { checkName, nameKey } from "../../src/protocol/names.ts";

describe("checkName", () => {
  test("accepts letters, digits, _ - . in any script", () => {
    for (const n of ["ana", "Bob_2", "x.y-z", "José", "名前", "Ωmega", "a", "a".repeat(24)]) {
      expect(checkName(n)).toEqual({ ok: true, name: n });
    }
  });

  test("trims surrounding whitespace and normalises to NFC", () => {
    expect(checkName("  ana \t")).toEqual({ ok: true, name: "ana" });
    expect(checkName("Jose\u0301")).toEqual({ ok: true, name: "José" });
  });

  test("counts characters, not bytes or UTF-16 units", () => {
    expect(checkName("名".repeat(24)).ok).toBe(true);
    expect(checkName("𝒜".repeat(24)).ok).toBe(true);
    expect(checkName("𝒜".repeat(25))).toMatchObject({ ok: false, problem: "too-long" });
  });

  test("refuses empty, long, spaced and symbol names with a reason", () => {
    expect(checkName("   ")).toMatchObject({ ok: false, problem: "empty" });
    expect(checkName("a".repeat(25))).toMatchObject({ ok: false, problem: "too-long" });
    for (const n of ["two words", "<admin>", "a*b", "emoji🎉", "[private]", "/nick"]) {
      expect(checkName(n)).toMatchObject({ ok: false, problem: "bad-chars" });
    }
  });

  test("strips escape sequences before judging, so colour codes cannot spoof a name", () => {
    expect(checkName("\x1b[31mana\x1b[0m")).toEqual({ ok: true, name: "ana" });
    expect(checkName("\x1b[31m")).toMatchObject({ ok: false, problem: "empty" });
  });

  test("nameKey makes names unique case-insensitively", () => {
    expect(nameKey("Ana")).toBe(nameKey("ANA"));
    expect(nameKey("José")).toBe(nameKey("JOSÉ"));
    expect(nameKey("ana")).not.toBe(nameKey("anna"));
  });
});
