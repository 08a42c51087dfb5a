import { describe, expect, test } from "bun:test";
import fc from "fast-check";
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
});

describe("nameKey", () => {
  test("makes names unique case-insensitively", () => {
    expect(nameKey("Ana")).toBe(nameKey("ANA"));
    expect(nameKey("José")).toBe(nameKey("JOSÉ"));
    expect(nameKey("ana")).not.toBe(nameKey("anna"));
  });

  test("composed and decomposed spellings are the same name", () => {
    expect(nameKey("Jose\u0301")).toBe(nameKey("José"));
    expect(nameKey("JOSE\u0301")).toBe(nameKey("josé"));
  });

  test("names that look alike in another script are the same name", () => {
    // Cyrillic а (U+0430) and Greek ο (U+03BF) look like Latin a and o.
    expect(nameKey("\u0430na")).toBe(nameKey("ana"));
    expect(nameKey("p\u0430ypal")).toBe(nameKey("paypal"));
    expect(nameKey("PAYPAL")).toBe(nameKey("p\u0430yp\u0430l"));
    expect(nameKey("b\u03bfb")).toBe(nameKey("bob"));
    // Mathematical letters and fullwidth forms.
    expect(nameKey("\u{1d41a}na")).toBe(nameKey("ana"));
    expect(nameKey("\uff41na")).toBe(nameKey("ana"));
  });

  test("digits and letter pairs that pass for letters collide too, in any case", () => {
    expect(nameKey("B0B")).toBe(nameKey("bob"));
    expect(nameKey("a1ice")).toBe(nameKey("alice"));
    expect(nameKey("mia")).toBe(nameKey("rnia"));
  });

  test("a capital looks like what it looks like: Isabel is lsabel, and Ian is ian and lan", () => {
    expect(nameKey("Isabel")).toBe(nameKey("lsabel"));
    expect(nameKey("Ivo")).toBe(nameKey("lvo"));
    expect(nameKey("Ian")).toBe(nameKey("lan"));
    expect(nameKey("Ian")).toBe(nameKey("ian"));
  });

  test("accents on Latin letters do not make another name: João is Joao", () => {
    expect(nameKey("João")).toBe(nameKey("Joao"));
    expect(nameKey("José")).toBe(nameKey("jose"));
    expect(nameKey("Ĳsbrand")).toBe(nameKey("ijsbrand"));
    // Marks that make letters of other scripts are kept.
    expect(nameKey("किताब")).not.toBe(nameKey("कताब"));
  });

  test("names that do not look alike stay distinct", () => {
    const names = [
      "ana",
      "anna",
      "ina",
      "ava",
      "bob",
      "rob",
      "José",
      "Josa",
      "名前",
      "名",
      "Ωmega",
    ];
    const keys = new Set(names.map(nameKey));
    expect(keys.size).toBe(names.length);
  });

  test("property: a key is its own key, so the table needs one pass", () => {
    const nameChar = fc.oneof(
      fc.constantFrom(..."aAоО0Il1mrn_.-éÉ\u0301ßΣσςİıǅꝺꝹℳ𝐀ａ"),
      fc.integer({ min: 0x20, max: 0x2fff }).map((code) => String.fromCodePoint(code)),
    );
    fc.assert(
      fc.property(fc.array(nameChar, { maxLength: 12 }), (chars) => {
        const key = nameKey(chars.join(""));
        expect(nameKey(key)).toBe(key);
      }),
      { numRuns: 1000 },
    );
  });
});

test("invisible characters are refused, so two names cannot differ only by one", () => {
  for (const name of ["ana\u034f", "ana\ufe0f", "a\u200bna", "\u3164", "ana\u{e0100}"]) {
    expect(checkName(name)).toMatchObject({ ok: false, problem: "bad-chars" });
  }
});

test("fullwidth and other compatibility forms count as the plain letters", () => {
  expect(nameKey("\uff41\uff4e\uff41")).toBe(nameKey("ana"));
});

test("Greek sigma is one letter in every form: final, lunate, capital", () => {
  // Found by the fuzz test: "ϲ" folds to final "ς", its capital "Ϲ" to "σ".
  expect(nameKey("ϲ")).toBe(nameKey("Ϲ"));
  expect(nameKey("ς")).toBe(nameKey("σ"));
  expect(nameKey("ΟΔΥΣΣΕΥΣ")).toBe(nameKey("οδυσσευς"));
});

test("a lowercase letter with a form of its own is the letter its capital is", () => {
  // Found by the fuzz test: "ᲀ" (rounded ve) capitalises to "В".
  expect(nameKey("ᲀ")).toBe(nameKey("в"));
  expect(nameKey("ᲀ")).toBe(nameKey("В"));
});
