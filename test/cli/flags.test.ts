import { describe, expect, test } from "bun:test";
import { parseArgs } from "node:util";
import {
  argsOptions,
  argsProblem,
  type FlagSpec,
  parseDecimal,
  parseFlags,
  usage,
} from "../../src/cli/flags.ts";

interface Config {
  port: number;
  rate: number;
  graceMs: number;
}

const SPEC: FlagSpec<Config> = {
  port: { type: "int", help: "TCP port; 0 picks one", key: "port", short: "p", max: 65535 },
  rate: { type: "number", help: "", key: "rate" },
  grace: { type: "seconds", help: "", key: "graceMs" },
};
const DEFAULTS: Config = { port: 1, rate: 1, graceMs: 1000 };

describe("parseFlags", () => {
  test("plain decimal values are taken", () => {
    expect(parseFlags(SPEC, { port: "10101", rate: "2.5", grace: "0.25" }, DEFAULTS)).toEqual({
      port: 10101,
      rate: 2.5,
      graceMs: 250,
    });
  });

  for (const raw of [
    "0x10",
    " 1e3 ",
    "1e3",
    "",
    " ",
    "+5",
    "1.",
    ".5",
    "0b1",
    "Infinity",
    "12abc",
  ]) {
    test(`--port ${JSON.stringify(raw)} is refused, not read as a number`, () => {
      expect(() => parseFlags(SPEC, { port: raw }, DEFAULTS)).toThrow(
        `--port must be a whole number, got "${raw}"`,
      );
    });
  }

  test("a fraction where a whole number is wanted is refused", () => {
    expect(() => parseFlags(SPEC, { port: "1.5" }, DEFAULTS)).toThrow("whole number");
  });

  test("out of range says the range", () => {
    expect(() => parseFlags(SPEC, { port: "70000" }, DEFAULTS)).toThrow(
      "--port must be between 0 and 65535, got 70000",
    );
  });
});

test("parseDecimal", () => {
  expect(parseDecimal("42", true)).toBe(42);
  expect(parseDecimal("-1", true)).toBe(-1);
  expect(parseDecimal("0.5", true)).toBeNull();
  expect(parseDecimal("0.5", false)).toBe(0.5);
  expect(parseDecimal("0x10", false)).toBeNull();
});

/** The error util.parseArgs throws for `args` against SPEC plus a --quiet switch. */
function parseError(args: string[]): Error {
  try {
    parseArgs({ args, options: { ...argsOptions(SPEC), quiet: { type: "boolean", short: "q" } } });
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${args.join(" ")} parsed`);
}

describe("argsProblem", () => {
  test("says in a few words what util.parseArgs objected to", () => {
    expect(argsProblem(parseError(["--x"]))).toBe("unknown option '--x'");
    expect(argsProblem(parseError(["--x=1"]))).toBe("unknown option '--x'");
    expect(argsProblem(parseError(["-x"]))).toBe("unknown option '-x'");
    expect(argsProblem(parseError(["-qx"]))).toBe("unknown option '-x'");
    expect(argsProblem(parseError(["--port"]))).toBe("--port needs a value");
    expect(argsProblem(parseError(["-p"]))).toBe("--port needs a value");
    expect(argsProblem(parseError(["--quiet=yes"]))).toBe("--quiet takes no value");
    expect(argsProblem(parseError(["extra"]))).toBe("unexpected argument 'extra'");
  });

  test("anything else keeps its own message", () => {
    expect(argsProblem(new Error("something new"))).toBe("something new");
  });
});

describe("argsOptions and usage", () => {
  test("a flag's short letter is accepted and shown the way the client shows it", () => {
    const { values } = parseArgs({ args: ["-p", "80"], options: argsOptions(SPEC) });
    expect(parseFlags(SPEC, values, DEFAULTS).port).toBe(80);
    const help = usage("x [options]", "x", SPEC, DEFAULTS);
    expect(help).toContain("  --port, -p N  TCP port; 0 picks one (default 1)\n");
    expect(help).toContain("  --rate N      ");
  });
});
