import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type Decoded, LINE_TOO_LONG, LineDecoder } from "../../src/protocol/lines.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

/** Feed `input` to a fresh decoder split at the given offsets. */
function decodeSplit(input: Uint8Array, cuts: number[], max = 4096): Decoded[] {
  const decoder = new LineDecoder(max);
  const out: Decoded[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(...decoder.push(input.subarray(at, cut)));
    at = cut;
  }
  out.push(...decoder.push(input.subarray(at)));
  return out;
}

describe("LineDecoder", () => {
  test("many lines in one read", () => {
    expect(new LineDecoder(100).push(bytes("a\nbb\n\nccc\n"))).toEqual(["a", "bb", "", "ccc"]);
  });

  test("a line split across many reads, byte by byte", () => {
    const input = bytes("hello world\n");
    const cuts = Array.from({ length: input.length }, (_, i) => i);
    expect(decodeSplit(input, cuts)).toEqual(["hello world"]);
  });

  test("holds an unfinished line until its newline arrives", () => {
    const d = new LineDecoder(100);
    expect(d.push(bytes("par"))).toEqual([]);
    expect(d.pendingBytes).toBe(3);
    expect(d.push(bytes("tial\nnext"))).toEqual(["partial"]);
    expect(d.push(bytes("\n"))).toEqual(["next"]);
    expect(d.pendingBytes).toBe(0);
  });

  test("drops the \\r of \\r\\n, even when split between reads", () => {
    expect(decodeSplit(bytes("one\r\ntwo\r\n"), [4])).toEqual(["one", "two"]);
    expect(new LineDecoder(10).push(bytes("a\rb\n"))).toEqual(["a\rb"]);
  });

  test("a multi-byte character split across reads decodes whole", () => {
    const input = bytes("olá 日本 🎉\n");
    for (let cut = 1; cut < input.length; cut++) {
      expect(decodeSplit(input, [cut])).toEqual(["olá 日本 🎉"]);
    }
  });

  test("invalid UTF-8 becomes U+FFFD", () => {
    const input = new Uint8Array([0x61, 0xff, 0xc3, 0x62, 0x0a]);
    expect(new LineDecoder(10).push(input)).toEqual(["a\uFFFD\uFFFDb"]);
  });

  test("an over-long line is reported once and discarded whole; the next line works", () => {
    const d = new LineDecoder(8);
    expect(d.push(bytes("12345678"))).toEqual([]);
    expect(d.push(bytes("90"))).toEqual([LINE_TOO_LONG]);
    expect(d.push(bytes("more of the same"))).toEqual([]);
    expect(d.pendingBytes).toBe(0);
    expect(d.push(bytes("tail\nok\n"))).toEqual(["ok"]);
  });

  test("an over-long line inside a single read", () => {
    expect(new LineDecoder(3).push(bytes("abcd\nabc\nabc\r\n"))).toEqual([
      LINE_TOO_LONG,
      "abc",
      "abc",
    ]);
  });

  test("exactly the limit is accepted, with or without \\r", () => {
    expect(decodeSplit(bytes("abcd\nabcd\r\n"), [2, 7], 4)).toEqual(["abcd", "abcd"]);
    expect(decodeSplit(bytes("abcde\n"), [2], 4)).toEqual([LINE_TOO_LONG]);
  });

  test("megabytes without a newline never hold more than the limit", () => {
    const d = new LineDecoder(4096);
    const chunk = new Uint8Array(64 * 1024).fill(0x41);
    let reports = 0;
    for (let i = 0; i < 64; i++) {
      reports += d.push(chunk).length;
      expect(d.pendingBytes).toBeLessThanOrEqual(4097);
    }
    expect(reports).toBe(1);
    expect(d.push(bytes("\nafter\n"))).toEqual(["after"]);
  });

  test("property: any split of any byte stream yields the same lines", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: "grapheme" }), fc.constantFrom("\n", "\r\n", "\r")), {
          maxLength: 30,
        }),
        fc.uint8Array({ maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 1, max: 40 }),
        (parts, noise, rawCuts, max) => {
          const text = new TextEncoder().encode(parts.join(""));
          const input = new Uint8Array(text.length + noise.length);
          input.set(text);
          input.set(noise, text.length);
          const whole = decodeSplit(input, [], max);
          const cuts = rawCuts.map((c) => (input.length === 0 ? 0 : c % (input.length + 1)));
          expect(decodeSplit(input, cuts, max)).toEqual(whole);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("property: lines without newlines or over-long ones come back exactly", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme", maxLength: 20 }).filter((s) => !/[\r\n]/.test(s))),
        fc.array(fc.nat(), { maxLength: 8 }),
        (lines, rawCuts) => {
          const input = new TextEncoder().encode(lines.map((l) => `${l}\n`).join(""));
          const cuts = rawCuts.map((c) => c % (input.length + 1));
          expect(decodeSplit(input, cuts, 1000)).toEqual(lines);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("next() hands out one line at a time and keeps the rest of the read", () => {
    const decoder = new LineDecoder(100);
    decoder.feed(bytes("one\ntwo\nthr"));
    expect(decoder.next()).toBe("one");
    expect(decoder.holding).toBe(true);
    // More bytes may arrive while lines still wait: they queue behind.
    decoder.feed(bytes("ee\nfour\n"));
    expect(decoder.next()).toBe("two");
    expect(decoder.next()).toBe("three");
    expect(decoder.next()).toBe("four");
    expect(decoder.next()).toBeUndefined();
    expect(decoder.holding).toBe(false);
  });

  test("finish() gives an unterminated last line, once; not the rest of an over-long one", () => {
    const decoder = new LineDecoder(5);
    decoder.feed(bytes("hi\nbye"));
    expect(decoder.next()).toBe("hi");
    expect(decoder.next()).toBeUndefined();
    expect(decoder.finish()).toBe("bye");
    expect(decoder.finish()).toBeUndefined();
    decoder.feed(bytes("much too long"));
    expect(decoder.next()).toBe(LINE_TOO_LONG);
    expect(decoder.finish()).toBeUndefined();
  });

  test("property: pulling lines one by one, fed at any split, equals push()", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }).map((a) => a.map((b) => (b % 7 === 0 ? 0x0a : b))),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 20 }),
        (input, rawCuts, max) => {
          const whole = decodeSplit(input, [], max);
          const decoder = new LineDecoder(max);
          const out: Decoded[] = [];
          let at = 0;
          const cuts = rawCuts.map((c) => c % (input.length + 1)).sort((a, b) => a - b);
          for (const cut of [...cuts, input.length]) {
            decoder.feed(input.subarray(at, cut));
            at = cut;
            // Take at most one line per feed, leaving the rest held.
            const line = decoder.next();
            if (line !== undefined) out.push(line);
          }
          for (let line = decoder.next(); line !== undefined; line = decoder.next()) out.push(line);
          expect(out).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });
});
