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

  test("a line that is not valid UTF-8 is read as Latin-1", () => {
    // "café" typed on an ISO-8859-1 terminal: é is the single byte 0xE9.
    const cafe = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]);
    expect(new LineDecoder(10).push(cafe)).toEqual(["café"]);
    const input = new Uint8Array([0x61, 0xc3, 0x62, 0xa0, 0x0a]);
    expect(new LineDecoder(10).push(input)).toEqual(["aÃb\u00a0"]);
    for (let cut = 1; cut < cafe.length; cut++) expect(decodeSplit(cafe, [cut])).toEqual(["café"]);
  });

  test("each line is judged on its own: valid UTF-8 stays UTF-8 next to a Latin-1 line", () => {
    const utf8 = bytes("olá 日本 café 🎉\n");
    const latin = new Uint8Array([0x6f, 0x6c, 0xe1, 0x0a]); // "olá" in Latin-1
    const input = new Uint8Array([...utf8, ...latin, ...utf8]);
    expect(decodeSplit(input, [5, 20, 23])).toEqual([
      "olá 日本 café 🎉",
      "olá",
      "olá 日本 café 🎉",
    ]);
  });

  test("telnet commands are dropped, even split byte by byte", () => {
    const IAC = 0xff;
    const input = new Uint8Array([
      ...[IAC, 0xfb, 0x01], // WILL ECHO
      ...bytes("he"),
      ...[IAC, 0xf1], // NOP
      ...bytes("llo"),
      // Window size 80x10: the 10 is a newline byte that must not end the line.
      ...[IAC, 0xfa, 0x1f, 0x00, 0x50, 0x00, 0x0a, IAC, 0xf0],
      ...bytes("\r"),
      ...[IAC, 0xfd, 0x03], // DO SUPPRESS-GO-AHEAD, between \r and \n
      ...bytes("\nnext\n"),
    ]);
    const cuts = Array.from({ length: input.length }, (_, i) => i);
    expect(decodeSplit(input, cuts)).toEqual(["hello", "next"]);
    expect(decodeSplit(input, [])).toEqual(["hello", "next"]);
  });

  test("IAC IAC is a 0xFF data byte, and IAC before a non-command byte is kept", () => {
    const IAC = 0xff;
    expect(new LineDecoder(10).push(new Uint8Array([0x61, IAC, IAC, 0x62, 0x0a]))).toEqual(["aÿb"]);
    // A Latin-1 "ÿes" from a client that does not speak telnet.
    expect(decodeSplit(new Uint8Array([IAC, 0x65, 0x73, 0x0a]), [1])).toEqual(["ÿes"]);
    // Inside a subnegotiation IAC IAC is data too, and does not end it.
    const sub = new Uint8Array([IAC, 0xfa, 0x18, IAC, IAC, 0xf0, IAC, 0xf0, 0x6f, 0x6b, 0x0a]);
    expect(decodeSplit(sub, [4])).toEqual(["ok"]);
  });

  test("telnet commands do not count towards the line limit", () => {
    const input = new Uint8Array([...bytes("abc"), 0xff, 0xfb, 0x18, 0xff, 0xf1, ...bytes("d\n")]);
    expect(new LineDecoder(4).push(input)).toEqual(["abcd"]);
  });

  test("discard() forgets a telnet command in progress", () => {
    const decoder = new LineDecoder(10);
    expect(decoder.push(new Uint8Array([0xff, 0xfa, 0x1f]))).toEqual([]);
    decoder.discard();
    expect(decoder.push(bytes("hi\n"))).toEqual(["hi"]);
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

  test("property: telnet commands anywhere, at any split, leave the text's lines", () => {
    const IAC = 0xff;
    const notIac = fc.integer({ min: 0, max: 0xfe });
    const command = fc.oneof(
      fc.tuple(fc.integer({ min: 0xfb, max: 0xfe }), fc.integer({ min: 0, max: 0xff })),
      fc.integer({ min: 0xf0, max: 0xf9 }).map((c) => [c]),
      // A subnegotiation whose 0xFF data bytes are doubled.
      fc
        .array(fc.oneof(notIac, fc.constant(IAC)), { maxLength: 8 })
        .map((body) => [0xfa, ...body.flatMap((b) => (b === IAC ? [IAC, IAC] : [b])), IAC, 0xf0]),
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: "grapheme" }), fc.constantFrom("\n", "\r\n")), {
          maxLength: 20,
        }),
        fc.array(fc.tuple(fc.nat(), command), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (parts, inserts, rawCuts) => {
          const text = [...bytes(parts.join(""))];
          const plain = decodeSplit(new Uint8Array(text), [], 1000);
          // Commands go between bytes of the text, never inside one another.
          const mixed = text.map((b) => [b]);
          mixed.push([]);
          for (const [at, cmd] of inserts) mixed[at % mixed.length]?.unshift(IAC, ...cmd);
          const input = new Uint8Array(mixed.flat());
          const cuts = rawCuts.map((c) => c % (input.length + 1));
          expect(decodeSplit(input, cuts, 1000)).toEqual(plain);
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

  test("many small chunks fed while one is held append in linear time (a WebSocket's frames)", () => {
    const decoder = new LineDecoder(100);
    decoder.feed(bytes("first\n"));
    const frame = bytes("ab\n");
    const frames = 200_000;
    const started = performance.now();
    // Copying everything held on each feed would move ~120 GB here; appending moves ~0.6 MB.
    for (let i = 0; i < frames; i++) decoder.feed(frame);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(decoder.heldBytes).toBe(6 + 3 * frames);
    expect(decoder.next()).toBe("first");
    let count = 0;
    for (let line = decoder.next(); line !== undefined; line = decoder.next()) {
      expect(line).toBe("ab");
      count++;
    }
    expect(count).toBe(frames);
    expect(decoder.heldBytes).toBe(0);
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

describe("holding", () => {
  test("a chunk is let go once its last line is taken, so holding means more bytes wait", () => {
    const d = new LineDecoder(100);
    d.feed(new TextEncoder().encode("one\ntwo\n"));
    expect(d.holding).toBe(true);
    expect(d.next()).toBe("one");
    expect(d.holding).toBe(true);
    expect(d.next()).toBe("two");
    expect(d.holding).toBe(false);
    d.feed(new TextEncoder().encode("thr"));
    expect(d.next()).toBeUndefined();
    expect(d.holding).toBe(false);
    d.feed(new TextEncoder().encode("ee\n"));
    expect(d.next()).toBe("three");
    expect(d.holding).toBe(false);
  });
});
