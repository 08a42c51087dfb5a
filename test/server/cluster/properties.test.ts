/**
 * Property tests of what the cluster reads from Redis: random text and
 * random events never throw, and never give members (or the log) a control
 * character or a line longer than the configured limit allows.
 */

import { afterEach, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { arrived } from "../../../src/server/cluster/arrivals.ts";
import { decodeBatch, type Event, encodeBatch } from "../../../src/server/cluster/events.ts";
import type { Context } from "../../../src/server/session/context.ts";
import { closeAll, join, makeContext, recordingLog } from "../../support/fakes.ts";

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
const MAX_LINE_BYTES = 64;
/** A line may hold two names and the wording of a notice around the checked text. */
const MAX_READ_BYTES = MAX_LINE_BYTES + 2 * 4 * 24 + 120;
const encoder = new TextEncoder();

let open: Context[] = [];
afterEach(() => {
  for (const c of open) closeAll(c);
  open = [];
});

/** Text of any code points, control characters and escape sequences included. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "ana",
    "zoe",
    "Zoe",
    "10.0.0.1",
    "",
    "\u001b[2J",
    "\u009b31m",
    "a\nb",
    "<zoe> hi",
  ),
  fc.string({ unit: "binary", minLength: 100, maxLength: 400 }),
  fc
    .tuple(fc.constantFrom("<zoe> ", "* <zoe> ", "<ana> "), fc.string({ unit: "binary" }))
    .map(([a, b]) => a + b),
);
const value = fc.oneof(text, fc.integer(), fc.constant(null), fc.boolean(), fc.double());
const notice = fc.record({
  key: fc.constantFrom(
    "joined",
    "left",
    "leftTooSlow",
    "kicked",
    "banned",
    "renamed",
    "topicSet",
    "shuttingDown",
    "linkDown",
    "linkUp",
    "linkLost",
    "linesMissed",
    "welcome",
    "toString",
  ),
  args: fc.array(value, { maxLength: 4 }),
});
const field = fc.oneof(
  value,
  notice,
  fc.array(fc.array(value, { maxLength: 3 }), { maxLength: 3 }),
);
const event = fc
  .tuple(
    fc.constantFrom("s", "a", "j", "p", "r", "m", "x", "b", "u", "t", "h", "?", "g", "zz"),
    fc.array(field, { maxLength: 4 }),
  )
  .map(([tag, rest]) => [tag, ...rest]);

describe("the batch decoder", () => {
  test("random text never throws; what it accepts has a plain node and a batch number", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .tuple(fc.oneof(text, value), fc.oneof(value, fc.integer()), fc.array(event))
        .map((b) => JSON.stringify(b)),
    );
    fc.assert(
      fc.property(anyText, (t) => {
        const batch = decodeBatch(t);
        if (batch === null) return;
        const [node, seq, events] = batch;
        expect(node).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
        expect(Number.isSafeInteger(seq) && seq >= 1).toBe(true);
        for (const e of events) expect(typeof e[0]).toBe("string");
      }),
      { numRuns: 500 },
    );
  });
});

describe("another server's events", () => {
  test("never throw, and give members and the log no control character and no long line", () => {
    fc.assert(
      fc.property(fc.array(fc.array(event, { maxLength: 6 }), { maxLength: 4 }), (batches) => {
        const log = recordingLog();
        const ctx = makeContext({ maxLineBytes: MAX_LINE_BYTES }, { log });
        open.push(ctx);
        const readers = [join(ctx, "ana"), join(ctx, "Bia", { lang: "pt" })];
        for (const r of readers) r.read();
        batches.forEach((events, i) => {
          // As the stream gives it: text, decoded, then each event checked and applied.
          const batch = decodeBatch(encodeBatch(["n2", i + 1, events as Event[]]));
          for (const e of batch?.[2] ?? []) {
            expect(() => arrived(ctx, "n2", e, 1000, () => {})).not.toThrow();
          }
        });
        ctx.room.flush();
        const seen = [
          ...readers.flatMap((r) => r.conn.read()),
          ...log.lines,
          ctx.room.topic,
          ...ctx.room.names(),
          ...ctx.room.history().map((h) => h.line),
        ];
        for (const line of seen) {
          expect(line).not.toMatch(CONTROL);
          expect(encoder.encode(line).length).toBeLessThanOrEqual(MAX_READ_BYTES);
        }
      }),
      { numRuns: 300 },
    );
  });
});
