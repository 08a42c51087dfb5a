import { describe, expect, test } from "bun:test";
import type { Client } from "../../../src/server/session/client.ts";
import { Door } from "../../../src/server/session/door.ts";
import { eventually } from "../../support/server.ts";

/** A connection as the door sees it: only its deadline. */
const someone = (name: string) =>
  ({ name, nameLeftMs: 0, onDoorClock: false }) as unknown as Client;

/**
 * Clocks end in the order they started: once a clock started last has run
 * out, every clock before it that was going to has too. A test that something
 * never runs out waits for this one instead of a fixed time.
 */
async function untilALaterClockRunsOut(door: Door<Client>, out: string[]): Promise<void> {
  door.start(someone("after"), 10);
  await eventually(() => out.includes("after"));
}

describe("Door: one timer for every clock started at the door", () => {
  test("clocks run out in the order they started, each at its own deadline", async () => {
    const out: Array<[string, number]> = [];
    const door = new Door<Client>((c) => out.push([c.name, performance.now()]));
    const a = someone("a");
    door.start(a, 30);
    await eventually(() => out.length === 1);
    const b = someone("b");
    const bStarted = performance.now();
    door.start(b, 30);
    await eventually(() => out.length === 2);
    expect(out.map(([name]) => name)).toEqual(["a", "b"]);
    // b waited its own 30 ms from its start (the timer was gone once a ran out).
    expect((out[1]?.[1] as number) - bStarted).toBeGreaterThanOrEqual(29);
    expect(door.has(a) || door.has(b)).toBe(false);
  });

  test("a clock stopped in time never runs out; the others still do", async () => {
    const out: string[] = [];
    const door = new Door<Client>((c) => out.push(c.name));
    const [a, b, c] = [someone("a"), someone("b"), someone("c")];
    for (const x of [a, b, c]) door.start(x, 20);
    expect(door.stop(b)).toBe(true);
    expect(door.stop(b)).toBe(false);
    await eventually(() => out.length === 2);
    await untilALaterClockRunsOut(door, out);
    expect(out).toEqual(["a", "c", "after"]);
  });

  test("with every clock stopped, nothing runs out later", async () => {
    const out: string[] = [];
    const door = new Door<Client>((c) => out.push(c.name));
    const a = someone("a");
    door.start(a, 10);
    door.stop(a);
    // The door starts again afterwards, and a's stopped clock never runs out before the new one.
    await untilALaterClockRunsOut(door, out);
    expect(out).toEqual(["after"]);
  });

  test("a clock that ran out may close others: each is told once", async () => {
    const out: string[] = [];
    const [a, b] = [someone("a"), someone("b")];
    const door: Door<Client> = new Door<Client>((c) => {
      out.push(c.name);
      door.stop(a);
      door.stop(b);
    });
    door.start(a, 10);
    door.start(b, 10);
    await eventually(() => out.length >= 1);
    await untilALaterClockRunsOut(door, out);
    expect(out).toEqual(["a", "after"]);
  });

  test("a line of stopped clocks is cut short: a connection that left is not kept", async () => {
    const out: string[] = [];
    const door = new Door<Client>((c) => out.push(c.name));
    const last = someone("last");
    const gone = Array.from({ length: 10_000 }, (_, i) => someone(`c${i}`));
    for (const c of gone) door.start(c, 20);
    door.start(last, 20);
    for (const c of gone) door.stop(c);
    expect(door.held).toBeLessThanOrEqual(2 + 64);
    await eventually(() => out.length === 1);
    expect(out).toEqual(["last"]);
    expect(door.held).toBe(0);
  });

  test("a clock started while others run out does not put theirs off", async () => {
    const out: Array<[string, number]> = [];
    const t0 = performance.now();
    const [a, b, late] = [someone("a"), someone("b"), someone("late")];
    const door = new Door<Client>((c) => {
      out.push([c.name, performance.now() - t0]);
      if (c === a) door.start(late, 40);
    });
    door.start(a, 40);
    // A gap between the two deadlines, not a wait for an event: b must end after a's run-out.
    await Bun.sleep(10);
    door.start(b, 40);
    await eventually(() => out.length === 3);
    expect(out.map(([name]) => name)).toEqual(["a", "b", "late"]);
    // b ran out at its own deadline (about 50 ms), not at the one started from a's callback (about 80).
    const [, bAt] = out[1] as [string, number];
    const [, lateAt] = out[2] as [string, number];
    expect(lateAt - bAt).toBeGreaterThan(15);
  });
});
