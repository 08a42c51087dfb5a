import { expect, test } from "bun:test";
import { consoleLog, localTime } from "../../src/server/log.ts";

/** Run `body` with the process in time zone `tz`, then put the old one back. */
function inTimeZone(tz: string, body: () => void): void {
  const saved = process.env.TZ;
  process.env.TZ = tz;
  try {
    body();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

// 21:05:03 UTC on 1 December 2026.
const AT = new Date(Date.UTC(2026, 11, 1, 21, 5, 3));

test("log times are the machine's local time, not UTC", () => {
  inTimeZone("Asia/Kolkata", () => expect(localTime(AT)).toBe("2026-12-02 02:35:03"));
  inTimeZone("America/Sao_Paulo", () => expect(localTime(AT)).toBe("2026-12-01 18:05:03"));
  inTimeZone("UTC", () => expect(localTime(AT)).toBe("2026-12-01 21:05:03"));
});

test("an event line is the local time, the address, the name and what happened", () => {
  const lines: string[] = [];
  const log = consoleLog(
    false,
    (line) => lines.push(line),
    () => AT,
  );
  inTimeZone("America/Sao_Paulo", () => {
    log.event({ address: "127.0.0.1:5000", name: "" }, "connected");
    log.event({ address: "127.0.0.1:5000", name: "ana" }, "joined");
  });
  log.info("papo listening on 127.0.0.1:10101");
  expect(lines).toEqual([
    "2026-12-01 18:05:03 127.0.0.1:5000 connected",
    "2026-12-01 18:05:03 127.0.0.1:5000 ana joined",
    "papo listening on 127.0.0.1:10101",
  ]);
});

test("quiet drops events but not info", () => {
  const lines: string[] = [];
  const log = consoleLog(
    true,
    (line) => lines.push(line),
    () => AT,
  );
  log.event({ address: "127.0.0.1:5000", name: "ana" }, "joined");
  log.info("shutting down");
  expect(lines).toEqual(["shutting down"]);
});

test("what happens while serving (the cluster's link, a handler's error) has the time, even when quiet", () => {
  const lines: string[] = [];
  const log = consoleLog(
    true,
    (line) => lines.push(line),
    () => AT,
  );
  inTimeZone("America/Sao_Paulo", () => log.note("cluster: the link to Redis is back"));
  expect(lines).toEqual(["2026-12-01 18:05:03 cluster: the link to Redis is back"]);
});
