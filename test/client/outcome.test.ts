import { describe, expect, test } from "bun:test";
import {
  classifyConnectError,
  describeEnding,
  describeFailure,
  EXIT,
  exitCode,
} from "../../src/client/core/outcome.ts";
import { STRINGS } from "../../src/client/strings.ts";
import { hostPort } from "../../src/net/address.ts";

const en = STRINGS.en;
const target = { host: "127.0.0.1", port: 10101, connectTimeoutMs: 5000 };
const sysError = (code: string, message = "Failed to connect") =>
  Object.assign(new Error(message), { code });

describe("classifyConnectError", () => {
  test("by system error code", () => {
    expect(classifyConnectError(sysError("ECONNREFUSED"))).toEqual({ code: "refused" });
    expect(classifyConnectError(sysError("ENOTFOUND"))).toEqual({ code: "unknown-host" });
    expect(classifyConnectError(sysError("EAI_AGAIN"))).toEqual({ code: "unknown-host" });
    expect(classifyConnectError(sysError("ETIMEDOUT"))).toEqual({ code: "timeout" });
  });

  test("anything else keeps its message and code", () => {
    expect(classifyConnectError(sysError("ENETUNREACH", "Network unreachable"))).toEqual({
      code: "other",
      detail: "Network unreachable (ENETUNREACH)",
    });
    expect(classifyConnectError("weird")).toEqual({ code: "other", detail: "weird" });
    expect(classifyConnectError(null)).toEqual({ code: "other", detail: "null" });
  });
});

describe("describeFailure: one sentence naming the address and the cause", () => {
  test("each cause", () => {
    expect(describeFailure({ code: "refused" }, target, en)).toBe(
      "Cannot connect to 127.0.0.1:10101: connection refused (is the server running?).",
    );
    expect(describeFailure({ code: "unknown-host" }, { ...target, host: "nope.invalid" }, en)).toBe(
      "Cannot connect to nope.invalid:10101: unknown host nope.invalid.",
    );
    expect(describeFailure({ code: "timeout" }, target, en)).toBe(
      "Cannot connect to 127.0.0.1:10101: no answer within 5 s.",
    );
    expect(describeFailure({ code: "timeout" }, { ...target, connectTimeoutMs: 250 }, en)).toBe(
      "Cannot connect to 127.0.0.1:10101: no answer within 0.3 s.",
    );
    expect(
      describeFailure({ code: "server", reason: "server full", banned: false }, target, en),
    ).toBe('Cannot connect to 127.0.0.1:10101: the server said "server full".');
    expect(describeFailure({ code: "closed" }, target, en)).toContain("closed the connection");
  });

  test("in Portuguese", () => {
    expect(describeFailure({ code: "refused" }, target, STRINGS.pt)).toBe(
      "Não foi possível conectar a 127.0.0.1:10101: conexão recusada (o servidor está rodando?).",
    );
  });

  test("IPv6 addresses get brackets", () => {
    expect(hostPort("::1", 80)).toBe("[::1]:80");
    expect(hostPort("localhost", 80)).toBe("localhost:80");
  });
});

describe("endings", () => {
  test("exit statuses: 0 quit, 1 refused, 2 lost, shut down or removed", () => {
    expect(exitCode({ kind: "quit" })).toBe(EXIT.ok);
    expect(exitCode({ kind: "refused", reason: "x", cause: "other" })).toBe(EXIT.failed);
    expect(exitCode({ kind: "lost" })).toBe(EXIT.lost);
    expect(exitCode({ kind: "shutdown", notice: "server shutting down" })).toBe(EXIT.lost);
    expect(exitCode({ kind: "removed", notice: "ana was kicked by op" })).toBe(EXIT.lost);
    expect(EXIT).toEqual({ ok: 0, failed: 1, lost: 2 });
  });

  test("sentences", () => {
    expect(describeEnding({ kind: "quit" }, en)).toBeNull();
    expect(describeEnding({ kind: "lost" }, en)).toBe("Connection to server lost.");
    expect(describeEnding({ kind: "shutdown", notice: "server shutting down" }, en)).toBe(
      "Disconnected: server shutting down.",
    );
    expect(describeEnding({ kind: "refused", reason: "name taken: ana", cause: "other" }, en)).toBe(
      "The server refused the name: name taken: ana.",
    );
    expect(describeEnding({ kind: "removed", notice: "ana was banned by op" }, en)).toBe(
      "Disconnected: ana was banned by op.",
    );
  });
});
