import { describe, expect, test } from "bun:test";
import {
  bearer,
  forwardedBy,
  isLoopback,
  metricsAllowed,
} from "../../../src/server/metrics/access.ts";

const request = (headers: Record<string, string> = {}) => ({ headers: new Headers(headers) });

describe("isLoopback", () => {
  test("127.0.0.0/8, ::1 and IPv4 loopback mapped into IPv6; nothing else", () => {
    for (const a of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"]) {
      expect(isLoopback(a)).toBe(true);
    }
    for (const a of ["10.0.0.1", "::ffff:10.0.0.1", "128.0.0.1", "fe80::1", "", "127.0.0.1.evil"]) {
      expect(isLoopback(a)).toBe(false);
    }
  });
});

describe("metricsAllowed", () => {
  test("this machine, not forwarded: allowed, token or not", () => {
    expect(metricsAllowed(request(), "127.0.0.1", false, "")).toBe("allowed");
    expect(metricsAllowed(request(), "::1", false, "t0ken")).toBe("allowed");
  });

  test("another machine: refused without a token to check; with one, only for it", () => {
    expect(metricsAllowed(request(), "192.0.2.4", false, "")).toBe("refused");
    expect(metricsAllowed(request({ authorization: "Bearer t0ken" }), "192.0.2.4", false, "")).toBe(
      "refused",
    );
    expect(metricsAllowed(request(), "192.0.2.4", false, "t0ken")).toBe("token");
    expect(
      metricsAllowed(request({ authorization: "Bearer nope" }), "192.0.2.4", false, "t0ken"),
    ).toBe("token");
    expect(
      metricsAllowed(request({ authorization: "Bearer t0ken" }), "192.0.2.4", false, "t0ken"),
    ).toBe("allowed");
  });

  test("forwarded by a proxy on this machine: treated as another machine", () => {
    expect(metricsAllowed(request(), "127.0.0.1", true, "")).toBe("refused");
    expect(metricsAllowed(request(), "127.0.0.1", true, "t0ken")).toBe("token");
    expect(
      metricsAllowed(request({ authorization: "bearer t0ken" }), "127.0.0.1", true, "t0ken"),
    ).toBe("allowed");
  });
});

describe("headers", () => {
  test("any forwarding header says forwarded", () => {
    expect(forwardedBy(new Headers())).toBe(false);
    for (const h of ["x-forwarded-for", "forwarded", "x-real-ip"]) {
      expect(forwardedBy(new Headers({ [h]: "203.0.113.1" }))).toBe(true);
    }
  });

  test("the bearer token, or nothing", () => {
    expect(bearer(new Headers({ authorization: "Bearer abc" }))).toBe("abc");
    expect(bearer(new Headers({ authorization: "Basic abc" }))).toBe("");
    expect(bearer(new Headers({ authorization: "Bearer a b" }))).toBe("");
    expect(bearer(new Headers())).toBe("");
  });
});
