import { describe, expect, test } from "bun:test";
import {
  afterEnding,
  afterFailure,
  reconnectDelay,
  secondsLeft,
} from "../../src/client/core/backoff.ts";
import { CLIENT_DEFAULTS } from "../../src/config.ts";

const policy = { firstMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.2 };
const middle = 0.5; // no spread

describe("reconnectDelay", () => {
  test("doubles from the first wait up to the cap", () => {
    const waits = Array.from({ length: 8 }, (_, i) => reconnectDelay(i, middle, policy));
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  test("spreads each wait by the jitter either way, never past the cap", () => {
    expect(reconnectDelay(0, 0, policy)).toBe(800);
    expect(reconnectDelay(0, 0.999999, policy)).toBe(1200);
    expect(reconnectDelay(2, 0, policy)).toBe(3200);
    expect(reconnectDelay(10, 0.999999, policy)).toBe(30000);
    expect(reconnectDelay(10, 0, policy)).toBe(24000);
  });

  test("the client's defaults start at a second", () => {
    expect(reconnectDelay(0, middle, CLIENT_DEFAULTS.reconnect)).toBe(1000);
  });
});

describe("whether to try again", () => {
  test("not after leaving, a kick or a ban", () => {
    expect(afterEnding({ kind: "quit" })).toBe("stop");
    expect(afterEnding({ kind: "removed", notice: "ana was kicked by op" })).toBe("stop");
    expect(
      afterEnding({ kind: "refused", reason: "you are banned from this room", cause: "banned" }),
    ).toBe("stop");
  });

  test("after a lost connection or a shutdown (a restart comes next)", () => {
    expect(afterEnding({ kind: "lost" })).toBe("retry");
    expect(afterEnding({ kind: "shutdown", notice: "server shutting down" })).toBe("retry");
    expect(afterEnding({ kind: "refused", reason: "?", cause: "other" })).toBe("retry");
  });

  test("a name timeout waits for the person's answer", () => {
    expect(afterEnding({ kind: "refused", reason: "no name", cause: "name-timeout" })).toBe(
      "when-answered",
    );
  });

  test("a try refused at the door: only a ban is final", () => {
    expect(afterFailure({ code: "refused" })).toBe("retry");
    expect(afterFailure({ code: "server", reason: "server full", banned: false })).toBe("retry");
    expect(
      afterFailure({ code: "server", reason: "you are banned from this room", banned: true }),
    ).toBe("stop");
  });
});

describe("secondsLeft", () => {
  test("rounds up, and shows at least 1 while waiting", () => {
    expect(secondsLeft(2500)).toBe(3);
    expect(secondsLeft(2000)).toBe(2);
    expect(secondsLeft(1)).toBe(1);
    expect(secondsLeft(0)).toBe(1);
  });
});
