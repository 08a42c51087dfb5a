import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { LineDecoder } from "../../src/protocol/lines.ts";
import { utf8Into, utf8Lenient } from "../../src/protocol/utf8.ts";

const encoder = new TextEncoder();
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

describe("utf8Into", () => {
  test("writes what TextEncoder writes, at the offset, and says how much", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.nat(40), (text, at) => {
        const bytes = new Uint8Array(at + text.length * 3 + 8).fill(0xaa);
        const written = utf8Into(bytes, text, at);
        const expected = encoder.encode(text);
        expect(written).toBe(expected.length);
        expect(bytes.subarray(at, at + written)).toEqual(expected);
        // Nothing before or after the part is touched.
        expect(bytes.subarray(0, at).every((b) => b === 0xaa)).toBe(true);
        expect(bytes.subarray(at + written).every((b) => b === 0xaa)).toBe(true);
      }),
    );
  });

  test("a lone surrogate becomes U+FFFD, as TextEncoder writes it", () => {
    const bytes = new Uint8Array(16);
    const n = utf8Into(bytes, "a\uD800b", 2);
    expect([...bytes.subarray(2, 2 + n)]).toEqual([0x61, 0xef, 0xbf, 0xbd, 0x62]);
  });
});

describe("utf8Lenient", () => {
  test("reads any bytes as TextDecoder does, invalid sequences as U+FFFD", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(8), fc.nat(8), (middle, a, b) => {
        // Continuation bytes around the part: a read past either end would change the text.
        const bytes = new Uint8Array(a + middle.length + b).fill(0x80);
        bytes.set(middle, a);
        expect(utf8Lenient(bytes, a, a + middle.length)).toBe(lenient.decode(middle));
      }),
    );
  });

  test("each kind of invalid sequence becomes U+FFFD, as TextDecoder reads it", () => {
    const cases = [
      [0xed, 0xa0, 0x80], // a surrogate
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xc0, 0x80], // overlong
      [0xe0, 0x80, 0x80], // overlong
      [0xe2, 0x82], // cut short
      [0xff],
    ];
    for (const bad of cases) {
      const bytes = new Uint8Array([0x61, ...bad, 0x62]);
      const text = utf8Lenient(bytes, 0, bytes.length);
      expect(text).toBe(lenient.decode(bytes));
      expect(text).toContain("\uFFFD");
    }
  });

  test("keeps a byte order mark, as the decoder's strict reading does", () => {
    const bytes = new Uint8Array([0x20, 0xef, 0xbb, 0xbf, 0x61]);
    expect(utf8Lenient(bytes, 1, 5)).toBe("\uFEFFa");
  });
});

describe("the decoder's reading of a line", () => {
  const read = (bytes: number[]) => {
    const decoder = new LineDecoder(1000);
    decoder.feed(new Uint8Array([...bytes, 0x0a]));
    return decoder.next();
  };

  test("valid UTF-8 that holds U+FFFD itself stays UTF-8", () => {
    expect(read([0x61, 0xef, 0xbf, 0xbd, 0x62])).toBe("a\uFFFDb");
  });

  test("invalid UTF-8 is read as Latin-1, not with U+FFFD", () => {
    expect(read([0x63, 0x61, 0x66, 0xe9])).toBe("café");
    expect(read([0xc0, 0x80])).toBe("\u00c0\u0080");
  });
});
