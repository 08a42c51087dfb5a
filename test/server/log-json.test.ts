import { expect, test } from "bun:test";
import { relayed } from "../../src/cli/workers.ts";
import { eventFields, jsonLog } from "../../src/server/log-json.ts";

const AT = new Date(Date.UTC(2026, 11, 1, 21, 5, 3, 250));

function logged(quiet = false): { log: ReturnType<typeof jsonLog>; lines: string[] } {
  const lines: string[] = [];
  return {
    log: jsonLog(
      quiet,
      (line) => lines.push(line),
      () => AT,
    ),
    lines,
  };
}

test("every line is one JSON object: time in UTC, kind, and the English words as msg", () => {
  const { log, lines } = logged();
  log.info("papo listening on 127.0.0.1:10101");
  log.note("cluster: the link to Redis is back");
  expect(lines).toEqual([
    '{"time":"2026-12-01T21:05:03.250Z","kind":"info","msg":"papo listening on 127.0.0.1:10101"}',
    '{"time":"2026-12-01T21:05:03.250Z","kind":"note","msg":"cluster: the link to Redis is back"}',
  ]);
});

test("an event carries its fixed word, the peer's address, ip, name and transport, and why", () => {
  const { log, lines } = logged();
  const peer = { address: "10.0.0.7:5000", host: "10.0.0.7", name: "", transport: "ws" };
  log.event(peer, "connected (ws)");
  log.event(peer, "wrong room password");
  log.event({ ...peer, name: "ana" }, "left (kicked by prof)");
  expect(lines.map((l) => JSON.parse(l))).toEqual([
    {
      time: "2026-12-01T21:05:03.250Z",
      kind: "event",
      event: "connected",
      address: "10.0.0.7:5000",
      ip: "10.0.0.7",
      transport: "ws",
      msg: "connected (ws)",
    },
    {
      time: "2026-12-01T21:05:03.250Z",
      kind: "event",
      event: "wrong room password",
      address: "10.0.0.7:5000",
      ip: "10.0.0.7",
      transport: "ws",
      msg: "wrong room password",
    },
    {
      time: "2026-12-01T21:05:03.250Z",
      kind: "event",
      event: "left",
      address: "10.0.0.7:5000",
      ip: "10.0.0.7",
      name: "ana",
      transport: "ws",
      reason: "kicked by prof",
      msg: "left (kicked by prof)",
    },
  ]);
});

test("quiet drops events but not the rest", () => {
  const { log, lines } = logged(true);
  log.event({ address: "10.0.0.7:5000", name: "ana" }, "joined");
  log.info("shutting down");
  expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["shutting down"]);
});

test("the fields of every event line the server writes", () => {
  const cases: Array<[string, ReturnType<typeof eventFields>]> = [
    ["connected (tcp)", { event: "connected" }],
    ["refused (tls, banned)", { event: "refused", reason: "banned" }],
    ["refused (tcp, crowded)", { event: "refused", reason: "crowded" }],
    ["refused (ws, server full)", { event: "refused", reason: "server full" }],
    ["wrong room password", { event: "wrong room password" }],
    ["wrong operator password", { event: "wrong operator password" }],
    ["joined", { event: "joined" }],
    ["away", { event: "away" }],
    ["connection closed (disconnected); away", { event: "away", reason: "disconnected" }],
    ["left (quit)", { event: "left", reason: "quit" }],
    ["left (did not come back)", { event: "left", reason: "did not come back" }],
    ["renamed from bea", { event: "renamed", target: "bea" }],
    [
      "renamed from bea: the name was taken during an outage",
      { event: "renamed", target: "bea", reason: "the name was taken during an outage" },
    ],
    ["set the topic", { event: "topic" }],
    ["became an operator", { event: "operator" }],
    ["gave the operator password for prof", { event: "operator", target: "prof" }],
    ["kicked bea", { event: "kicked", target: "bea" }],
    ["banned bea (10.0.0.9)", { event: "banned", target: "bea", reason: "10.0.0.9" }],
    ["unbanned 10.0.0.9", { event: "unbanned", target: "10.0.0.9" }],
    ["muted bea", { event: "muted", target: "bea" }],
    ["unmuted bea", { event: "unmuted", target: "bea" }],
    ["set slow mode to 5 s", { event: "slow mode", reason: "5 s" }],
    ["turned quiet mode on", { event: "quiet mode", reason: "on" }],
    ["asked for the transcript", { event: "transcript" }],
    ["resumed as ana", { event: "resumed", target: "ana" }],
    ["resumed on another server", { event: "resumed elsewhere" }],
    [
      "removed from another server (kicked by prof)",
      { event: "removed", reason: "kicked by prof" },
    ],
    ["something new", { event: "other" }],
  ];
  for (const [text, fields] of cases) expect([text, eventFields(text)]).toEqual([text, fields]);
});

test("--workers: a worker's JSON line gains its number; a text line its prefix", () => {
  const line = '{"time":"2026-12-01T21:05:03.250Z","kind":"info","msg":"papo listening on :::1"}';
  expect(relayed("json", 3, line)).toEqual({
    out: '{"time":"2026-12-01T21:05:03.250Z","kind":"info","msg":"papo listening on :::1","worker":3}',
    text: "papo listening on :::1",
  });
  const stray = relayed("json", 2, "not json");
  expect(JSON.parse(stray.out)).toMatchObject({ kind: "info", msg: "not json", worker: 2 });
  expect(stray.text).toBe("not json");
  // On its stderr, a line that is not JSON (the runtime's own) is an error.
  const crash = relayed("json", 2, "Segmentation fault", "error");
  expect(JSON.parse(crash.out)).toMatchObject({
    kind: "error",
    msg: "Segmentation fault",
    worker: 2,
  });
  expect(relayed("text", 1, "papo listening on 0.0.0.0:10101")).toEqual({
    out: "[worker 1] papo listening on 0.0.0.0:10101",
    text: "papo listening on 0.0.0.0:10101",
  });
});
