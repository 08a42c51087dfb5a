import { describe, expect, test } from "bun:test";
import {
  askedLang,
  parsePort,
  resolveOptions,
  type Surroundings,
  speak,
  splitHost,
} from "../../src/client/options.ts";
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

  test("a language is chosen by --lang or a locale naming one; C.UTF-8 or none follow the room", () => {
    const inLocale = (LANG: string | undefined) => ({ ...terminal, env: { LANG } });
    expect(run({}, inLocale("pt_BR.UTF-8")).langChosen).toBe(true);
    expect(run({}, inLocale("en_US.UTF-8")).langChosen).toBe(true);
    expect(run({ lang: "en" }, inLocale("C.UTF-8")).langChosen).toBe(true);
    for (const LANG of ["C.UTF-8", "POSIX", "C", undefined, "fr_FR.UTF-8"]) {
      const o = run({}, inLocale(LANG));
      expect(o).toMatchObject({ lang: "en", langChosen: false });
      // Nothing asked of the room: its greeting says its language, and the client follows it.
      expect(askedLang(o)).toBeNull();
      speak(o, "pt", false);
      expect(o).toMatchObject({ lang: "pt", strings: STRINGS.pt, langChosen: false });
    }
  });

  test("the room's language is followed until the person chooses; /lang is a choice", () => {
    const chosen = run({}, { ...terminal, env: { LANG: "en_US.UTF-8" } });
    speak(chosen, "pt", false);
    expect(chosen).toMatchObject({ lang: "en", strings: STRINGS.en });
    expect(askedLang(chosen)).toBe("en");
    const free = run({}, { ...terminal, env: { LANG: "C.UTF-8" } });
    speak(free, "pt", true);
    expect(free).toMatchObject({ lang: "pt", langChosen: true });
    // Later connections ask for it, and a room in English no longer moves it.
    expect(askedLang(free)).toBe("pt");
    speak(free, "en", false);
    expect(free.lang).toBe("pt");
    speak(free, "xx", true);
    expect(free.lang).toBe("pt");
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

describe("--host with a port", () => {
  test("host:port and [v6]:port are host and port; a bare IPv6 address is all host", () => {
    expect(run({ host: "127.0.0.1:4000" }).config).toMatchObject({ host: "127.0.0.1", port: 4000 });
    expect(run({ host: "[::1]:4000" }).config).toMatchObject({ host: "::1", port: 4000 });
    expect(run({ host: "[::1]" }).config).toMatchObject({ host: "::1", port: 10101 });
    expect(run({ host: "::1" }).config).toMatchObject({ host: "::1", port: 10101 });
    expect(run({ host: "chat.example:10101", port: "10101" }).config.port).toBe(10101);
  });

  test("a port in --host that --port contradicts, or no port at all, is one sentence", () => {
    expect(resolveOptions({ host: "127.0.0.1:4000", port: "5000" }, terminal)).toEqual({
      kind: "error",
      message: "--host 127.0.0.1:4000 names another port than --port 5000: give the port once.",
    });
    expect(resolveOptions({ host: "h:http" }, terminal)).toEqual({
      kind: "error",
      message: STRINGS.en.badPort("http"),
    });
    expect(resolveOptions({ host: "[::1" }, terminal)).toEqual({
      kind: "error",
      message: STRINGS.en.badHost("[::1"),
    });
    expect(resolveOptions({ host: ":80", lang: "pt" }, terminal)).toEqual({
      kind: "error",
      message: STRINGS.pt.badHost(":80"),
    });
  });

  test("splitHost", () => {
    expect(splitHost("a")).toEqual({ host: "a" });
    expect(splitHost("a:1")).toEqual({ host: "a", port: "1" });
    expect(splitHost("fe80::1:2")).toEqual({ host: "fe80::1:2" });
    expect(splitHost("[fe80::1]:2")).toEqual({ host: "fe80::1", port: "2" });
    expect(splitHost("[x]y")).toBeNull();
  });
});

describe("password, bell and history file", () => {
  test("the room's password comes from PAPO_ROOM_PASSWORD, or the variable --password-env names", () => {
    expect(run({}).password).toBeUndefined();
    const env = { ...terminal.env, PAPO_ROOM_PASSWORD: "turma", CLASS: "7b" };
    expect(run({}, { ...terminal, env })).toMatchObject({
      password: "turma",
      passwordEnv: "PAPO_ROOM_PASSWORD",
    });
    expect(run({ "password-env": "CLASS" }, { ...terminal, env })).toMatchObject({
      password: "7b",
      passwordEnv: "CLASS",
    });
    expect(resolveOptions({ "password-env": "NOPE" }, terminal)).toEqual({
      kind: "error",
      message: STRINGS.en.passwordEnvUnset("NOPE"),
    });
  });

  test("the bell is on unless --no-bell", () => {
    expect(run({}).bell).toBe(true);
    expect(run({ "no-bell": true }).bell).toBe(false);
  });

  test("the history file follows XDG_DATA_HOME, else the home directory", () => {
    expect(run({}, { ...terminal, home: "/home/ana" }).historyFile).toBe(
      "/home/ana/.local/share/papo/history",
    );
    const xdg = {
      ...terminal,
      env: { ...terminal.env, XDG_DATA_HOME: "/tmp/x" },
      home: "/home/ana",
    };
    expect(run({}, xdg).historyFile).toBe("/tmp/x/papo/history");
    expect(run({}).historyFile).toBeNull();
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

describe("TLS options", () => {
  const files: Surroundings = {
    ...pipe,
    readFile: (path) => {
      if (path === "ca.pem") return "PEM";
      throw Object.assign(new Error("nope"), { code: path === "secret.pem" ? "EACCES" : "ENOENT" });
    },
  };
  test("plain TCP unless asked", () => {
    expect(run({}, files).config.tls).toBeNull();
  });
  test("--tls uses the system's trust store; --ca and --insecure imply it", () => {
    expect(run({ tls: true }, files).config.tls).toEqual({ ca: null, insecure: false });
    expect(run({ ca: "ca.pem" }, files).config.tls).toEqual({ ca: "PEM", insecure: false });
    expect(run({ insecure: true }, files).config.tls).toEqual({ ca: null, insecure: true });
  });
  test("an unreadable --ca is one sentence", () => {
    expect(resolveOptions({ ca: "gone.pem" }, files)).toEqual({
      kind: "error",
      message: 'Cannot read the certificate "gone.pem" given with --ca: no such file.',
    });
    expect(resolveOptions({ ca: "secret.pem" }, files)).toEqual({
      kind: "error",
      message: 'Cannot read the certificate "secret.pem" given with --ca (EACCES).',
    });
  });
});
