/**
 * Micro benchmarks (mitata, no network): the pure protocol code in realistic
 * shapes, and the broadcast path into in-process sinks that take everything,
 * papo's batched fan-out next to the two naive ways of writing a broadcast.
 */

import { measure } from "mitata";
import type { Sink } from "../src/net/outbox.ts";
import { LineDecoder } from "../src/protocol/lines.ts";
import { checkName } from "../src/protocol/names.ts";
import { sanitize } from "../src/protocol/sanitize.ts";
import { DIALECTS, type Spoken } from "../src/server/room/dialects.ts";
import { LogFanout } from "../src/server/room/fanout.ts";
import { newEpoch, RoomLog } from "../src/server/room/log.ts";
import { Reader } from "../src/server/room/reader.ts";

/** Time spent measuring each case (ns): mitata's default, or a short one for --quick. */
const CPU_TIME_FULL = 500e6;
const CPU_TIME_QUICK = 40e6;
/** Lines in the decoded stream; chat lines of 64 bytes of text. */
const STREAM_LINES = 1000;
const LINE_TEXT = "x".repeat(64);
/** Read sizes: one line per read, about one TCP segment, typical and large socket reads. */
const CHUNK_SIZES = [65, 1460, 16 * 1024, 64 * 1024];
const ROOM_SIZES = [100, 1000];
/** Messages per turn (from as many senders) in the fan-out cases. */
const TURN_MESSAGES = 10;
const QUEUE_CAP = 1024 * 1024;
/** The fan-out's log window: a few turns, so the log keeps trimming as in a long-running room. */
const LOG_WINDOW_BYTES = 64 * 1024;

export interface MicroResult {
  group: string;
  name: string;
  /** Mean time of one call of the measured function. */
  nsPerOp: number;
  /** The same divided by the units of work it does (lines, deliveries...). */
  nsPerUnit: number;
  unit: string;
}

interface Case {
  group: string;
  name: string;
  units: number;
  unit: string;
  fn: () => unknown;
}

/** Run every micro benchmark and return their figures. */
export async function runMicro(quick: boolean): Promise<MicroResult[]> {
  const cases = [...decoderCases(), ...textCases(), ...fanoutCases()];
  const out: MicroResult[] = [];
  for (const c of cases) {
    const stats = await measure(c.fn, { min_cpu_time: quick ? CPU_TIME_QUICK : CPU_TIME_FULL });
    out.push({
      group: c.group,
      name: c.name,
      nsPerOp: stats.avg,
      nsPerUnit: stats.avg / c.units,
      unit: c.unit,
    });
  }
  return out;
}

function decoderCases(): Case[] {
  const stream = new TextEncoder().encode(`${LINE_TEXT}\n`.repeat(STREAM_LINES));
  const cases = CHUNK_SIZES.map((size) => decodeCase(`${STREAM_LINES} lines`, stream, size));
  // The slow path: lines that are not UTF-8 ("café" from a Latin-1 terminal).
  const latin1 = `${LINE_TEXT.slice(4)}café\n`.repeat(STREAM_LINES);
  const latinStream = Uint8Array.from(latin1, (c) => c.charCodeAt(0));
  cases.push(decodeCase(`${STREAM_LINES} Latin-1 lines`, latinStream, 64 * 1024));
  return cases;
}

function decodeCase(what: string, stream: Uint8Array, size: number): Case {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
  const decoder = new LineDecoder(4096);
  return {
    group: "decode",
    name: `${what} in ${size} B reads`,
    units: STREAM_LINES,
    unit: "line",
    fn: () => {
      let n = 0;
      for (const chunk of chunks) n += decoder.push(chunk).length;
      return n;
    },
  };
}

/** Inputs rotate among this many variants so that no result can be cached or folded away. */
const VARIANTS = 16;

function textCases(): Case[] {
  const rotating = (
    group: string,
    name: string,
    make: (i: number) => string,
    fn: (s: string) => unknown,
  ): Case => {
    const inputs = Array.from({ length: VARIANTS }, (_, i) => make(i));
    let i = 0;
    return {
      group,
      name,
      units: 1,
      unit: "call",
      fn: () => fn(inputs[i++ & (VARIANTS - 1)] as string),
    };
  };
  const plain = (i: number) => `the quick brown fox ${i} jumps over the lazy dog, then naps a bit`;
  const colored = (i: number) =>
    `\x1b[3${i % 8}mred\x1b[0m text ${i} with a \x1b]0;title\x07 in it`;
  const unicode = (i: number) => `olá, 名前 は ✓ — ça va? ${i} ünïcödé text that needs no cleaning`;
  return [
    rotating("sanitize", "64 B plain ASCII", plain, sanitize),
    rotating("sanitize", "escape sequences", colored, sanitize),
    rotating("sanitize", "clean Unicode", unicode, sanitize),
    rotating("name", "valid ASCII", (i) => `alice_${i}`, checkName),
    rotating("name", "valid Unicode", (i) => `Zoë-名前${i}`, checkName),
    rotating("name", "invalid", (i) => `bad name ${i}!`, checkName),
  ];
}

/** A socket that takes every byte it is offered. */
class TakeAll implements Sink {
  taken = 0;
  write(bytes: Uint8Array, offset = 0, length = bytes.length - offset): number {
    this.taken += length;
    return length;
  }
}

function fanoutCases(): Case[] {
  const cases: Case[] = [];
  const encoder = new TextEncoder();
  const text = (i: number) => `<sender${i}> ${LINE_TEXT}`;
  const spoken = (i: number): Spoken => ({ kind: "chat", from: `sender${i}`, text: text(i) });
  for (const size of ROOM_SIZES) {
    const deliveries = TURN_MESSAGES * (size - 1);
    const group = `fan-out ${size}`;
    const name = (what: string) => `${TURN_MESSAGES} lines, ${what}`;

    const members = new Set(Array.from({ length: size }, () => new Reader(new TakeAll())));
    const list = [...members];
    // Every member reads English, v1 (dialect 0); each turn is a segment of a
    // window small enough that old turns go as new ones come.
    const readers = new Array<number>(DIALECTS).fill(0);
    readers[0] = size;
    const fanout = new LogFanout(
      new RoomLog(newEpoch(), LOG_WINDOW_BYTES),
      () => members,
      readers,
      { turnBytes: Number.POSITIVE_INFINITY, queueBytes: QUEUE_CAP, behindTimeoutMs: 0 },
      { failed: () => {}, stalled: () => {}, relieved: () => {}, missed: () => "" },
      () => {},
    );
    for (const [i, m] of list.entries()) fanout.admit(m, i + 1);
    cases.push({
      group,
      name: name("papo: batched, 1 write per client"),
      units: deliveries,
      unit: "delivery",
      fn: () => {
        for (let i = 0; i < TURN_MESSAGES; i++) fanout.toAll(spoken(i), list[i]);
        fanout.flush();
      },
    });

    const sinks = Array.from({ length: size }, () => new TakeAll());
    cases.push({
      group,
      name: name("naive: encoded once, 1 write per line"),
      units: deliveries,
      unit: "delivery",
      fn: () => {
        for (let i = 0; i < TURN_MESSAGES; i++) {
          const bytes = encoder.encode(`${text(i)}\n`);
          for (let c = 0; c < size; c++) if (c !== i) sinks[c]?.write(bytes);
        }
      },
    });
    cases.push({
      group,
      name: name("naive: encoded per client"),
      units: deliveries,
      unit: "delivery",
      fn: () => {
        for (let i = 0; i < TURN_MESSAGES; i++) {
          for (let c = 0; c < size; c++)
            if (c !== i) sinks[c]?.write(encoder.encode(`${text(i)}\n`));
        }
      },
    });
  }
  return cases;
}
