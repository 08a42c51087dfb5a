import { expect, test } from "bun:test";
import { consoleLog, localTime } from "../../src/server/log.ts";
import { consoleWords } from "../../src/server/log-text.ts";

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

test("with --lang pt the console speaks Portuguese: startup, events, shutdown", () => {
  const lines: string[] = [];
  const log = consoleLog(
    false,
    (line) => lines.push(line),
    () => AT,
    "pt",
  );
  const ana = { address: "10.0.0.7:5000", name: "ana" };
  inTimeZone("UTC", () => {
    log.info("room sala7 kept in /srv/papo/sala7.sqlite: 12 lines");
    log.info("papo listening on 0.0.0.0:10101 (TLS)");
    log.info("web client on https://127.0.0.1:8080/");
    log.info("other machines join with:");
    log.info("  npm run client -- --host 10.0.0.2 --port 10101");
    log.event({ address: "10.0.0.7:5000", name: "" }, "connected (tcp)");
    log.event({ address: "10.0.0.7:5000", name: "" }, "wrong room password");
    log.event(ana, "joined");
    log.event(ana, "wrong operator password");
    log.event(ana, "kicked bea");
    log.event({ ...ana, name: "bea" }, "left (kicked by ana)");
    log.event({ address: "10.0.0.9:5000", name: "" }, "refused (ws, crowded)");
    log.event({ address: "10.0.0.9:5000", name: "" }, "refused (tls, banned)");
    log.event(ana, "left (connection error: ECONNRESET)");
    log.note("cluster: the link to Redis is back");
    log.info("shutting down");
    // A line no rule knows keeps its English words rather than vanish.
    log.info("something new");
  });
  expect(lines).toEqual([
    "sala sala7 guardada em /srv/papo/sala7.sqlite: 12 linhas",
    "papo escutando em 0.0.0.0:10101 (TLS)",
    "cliente web em https://127.0.0.1:8080/",
    "outras máquinas entram com:",
    "  npm run client -- --host 10.0.0.2 --port 10101",
    "2026-12-01 21:05:03 10.0.0.7:5000 conectou (tcp)",
    "2026-12-01 21:05:03 10.0.0.7:5000 senha da sala errada",
    "2026-12-01 21:05:03 10.0.0.7:5000 ana entrou",
    "2026-12-01 21:05:03 10.0.0.7:5000 ana senha de operador errada",
    "2026-12-01 21:05:03 10.0.0.7:5000 ana expulsou bea",
    "2026-12-01 21:05:03 10.0.0.7:5000 bea saiu (expulsão por ana)",
    "2026-12-01 21:05:03 10.0.0.9:5000 recusado (ws, conexões demais do endereço)",
    "2026-12-01 21:05:03 10.0.0.9:5000 recusado (tls, endereço banido)",
    "2026-12-01 21:05:03 10.0.0.7:5000 ana saiu (erro de conexão: ECONNRESET)",
    "2026-12-01 21:05:03 cluster: a ligação com o Redis voltou",
    "desligando",
    "something new",
  ]);
});

test("every connection event the server logs has its Portuguese words", () => {
  const pt = consoleWords("pt");
  const events = [
    "connected (tls)",
    "joined",
    "away",
    "left (quit)",
    "left (did not come back)",
    "connection closed (disconnected); away",
    "refused (tcp, server full)",
    "wrong room password",
    "wrong operator password",
    "gave the operator password for prof",
    "became an operator",
    "set the topic",
    "kicked bea",
    "banned bea (10.0.0.9)",
    "unbanned 10.0.0.9",
    "muted bea",
    "unmuted bea",
    "set slow mode to 10 s",
    "turned quiet mode on",
    "turned quiet mode off",
    "asked for the transcript",
    "renamed from bia",
    "renamed from bia: the name was taken during an outage",
    "resumed as ana",
    "resumed as ana, before the restart",
    "resumed as ana, from server 3f2a",
    "resumed on another server",
    "removed from another server (kicked by prof)",
  ];
  const untranslated = events.filter((e) => pt(e) === e);
  expect(untranslated).toEqual([]);
  expect(pt("muted bea")).toBe("suspendeu a voz de bea");
  expect(pt("resumed as ana, from server 3f2a")).toBe("retomou como ana, vindo do servidor 3f2a");
});
