import { describe, expect, test } from "bun:test";
import { parsePort, resolveOptions, type Surroundings } from "../../src/client/options.ts";
import { STRINGS } from "../../src/client/strings.ts";
import { CLIENT_DEFAULTS } from "../../src/config.ts";

const terminal: Surroundings = {
  env: { TERM: "xterm-256color", LANG: "en_US.UTF-8" },
  stdinIsTTY: true,
  stdoutIsTTY: true,
};
const pipe: Surroundings = { env: {}, stdinIsTTY: false, stdoutIsTTY: false };

function run(flags: Parameters<typeof resolveOptions>[0], around = terminal) {
  const resolved = resolveOptions(flags, around);
  if (resolved.kind !== "run") throw new Error(`expected run, got ${JSON.stringify(resolved)}`);
  return resolved.options;
}

describe("resolveOptions", () => {
  test("defaults: 127.0.0.1:10101, English, colour, interactive, ask for a name", () => {
    const o = run({});
    expect(o.config).toEqual({ ...CLIENT_DEFAULTS });
    expect(o.config.host).toBe("127.0.0.1");
    expect(o.config.port).toBe(10101);
    expect(o).toMatchObject({ lang: "en", color: true, interactive: true, name: undefined });
  });

  test("flags set host, port and name", () => {
    const o = run({ host: "chat.example", port: "4000", name: "ana" });
    expect(o.config).toMatchObject({ host: "chat.example", port: 4000 });
    expect(o.name).toBe("ana");
  });

  test("a blank --name counts as none", () => {
    expect(run({ name: "  " }).name).toBeUndefined();
  });

  test("piped: no prompt, no colour", () => {
    expect(run({}, pipe)).toMatchObject({ interactive: false, color: false });
  });

  test("colour off with --no-color or NO_COLOR", () => {
    expect(run({ "no-color": true }).color).toBe(false);
    expect(run({}, { ...terminal, env: { NO_COLOR: "1" } }).color).toBe(false);
  });

  test("language: --lang wins over the locale", () => {
    const ptEnv = { ...terminal, env: { LANG: "pt_BR.UTF-8" } };
    expect(run({}, ptEnv).lang).toBe("pt");
    expect(run({}, ptEnv).strings).toBe(STRINGS.pt);
    expect(run({ lang: "en" }, ptEnv).lang).toBe("en");
    expect(run({ lang: "pt" }).lang).toBe("pt");
  });

  test("--help gives the help of the chosen language", () => {
    expect(resolveOptions({ help: true }, terminal)).toEqual({
      kind: "help",
      text: STRINGS.en.usage,
    });
    expect(resolveOptions({ help: true, lang: "pt" }, terminal)).toEqual({
      kind: "help",
      text: STRINGS.pt.usage,
    });
  });

  test("bad values give one sentence", () => {
    expect(resolveOptions({ port: "http" }, terminal)).toEqual({
      kind: "error",
      message: 'Invalid port "http": use a number from 1 to 65535.',
    });
    expect(resolveOptions({ lang: "fr" }, terminal)).toEqual({
      kind: "error",
      message: 'Unknown language "fr": use en or pt.',
    });
    expect(resolveOptions({ port: "0", lang: "pt" }, terminal)).toMatchObject({
      kind: "error",
      message: STRINGS.pt.badPort("0"),
    });
  });
});

describe("parsePort", () => {
  test("1 to 65535 in plain digits", () => {
    expect(parsePort("1")).toBe(1);
    expect(parsePort("10101")).toBe(10101);
    expect(parsePort("65535")).toBe(65535);
    for (const bad of ["0", "65536", "-1", "1e3", "0x10", " 80", "80 ", "", "8.5", "999999"]) {
      expect(parsePort(bad)).toBeNull();
    }
  });
});
