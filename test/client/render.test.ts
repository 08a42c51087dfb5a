import { describe, expect, test } from "bun:test";
import { read } from "../../src/client/core/meaning.ts";
import {
  classify,
  clearInputArea,
  colorEnabled,
  formatTime,
  NAME_COLORS,
  nameColor,
  renderLine,
  renderLocal,
} from "../../src/client/tty/render.ts";
import { v2 } from "./v2.ts";

const en = v2("en");
const pt = v2("pt");

const at = (h: number, m: number) => new Date(2024, 0, 2, h, m, 59);
/** A moment of the day before `at`'s, as a tag carries it. */
const said = (h: number, m: number) => new Date(2024, 0, 1, h, m).toISOString();
/** A moment of `at`'s day, as a tag carries it. */
const today = (h: number, m: number) => new Date(2024, 0, 2, h, m).toISOString();
const plain = { color: false, time: at(9, 5) };
const colored = { color: true, time: at(9, 5) };
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escapes is the point
const ESC = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

describe("formatTime", () => {
  test("is HH:MM, zero-padded, local time", () => {
    expect(formatTime(at(9, 5))).toBe("09:05");
    expect(formatTime(at(0, 0))).toBe("00:00");
    expect(formatTime(at(23, 59))).toBe("23:59");
  });
});

describe("nameColor", () => {
  test("is stable and one of the palette", () => {
    for (const name of ["ana", "bob", "zé", "名前", "a", "x".repeat(24)]) {
      expect(nameColor(name)).toBe(nameColor(name));
      expect(NAME_COLORS).toContain(nameColor(name));
    }
  });

  test("ignores case, as names do", () => {
    expect(nameColor("Ana")).toBe(nameColor("ana"));
    expect(nameColor("BOB")).toBe(nameColor("bob"));
  });

  test("known values do not drift between releases", () => {
    // FNV-1a is fixed; a change here means everyone's colours change.
    expect([nameColor("ana"), nameColor("bob"), nameColor("carla")]).toEqual([94, 93, 32]);
  });

  test("spreads names over several colours and never uses red", () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => nameColor(`user${i}`)));
    expect(used.size).toBeGreaterThanOrEqual(6);
    expect(used.has(31)).toBe(false);
    expect(used.has(91)).toBe(false);
  });
});

describe("classify", () => {
  test("sorts the server's line shapes", () => {
    expect(classify("<ana> hi there")).toEqual({
      kind: "chat",
      line: "<ana> hi there",
      name: "ana",
      text: "hi there",
    });
    expect(classify("* bob joined")).toEqual({ kind: "notice", line: "* bob joined" });
    expect(classify("! name taken: ana")).toEqual({ kind: "error", line: "! name taken: ana" });
    expect(classify(read(en.reply("privateFrom", ["bob", "psst"])))).toEqual({
      kind: "private-from",
      line: "[private] <bob> psst",
      tag: "[private]",
      name: "bob",
      text: "psst",
    });
    expect(classify(read(en.reply("privateTo", ["bob", "psst"])))).toEqual({
      kind: "private-to",
      line: "[private to bob] psst",
      tag: "[private to bob]",
      name: "bob",
      text: "psst",
    });
    expect(classify("* <ana> waves")).toMatchObject({ kind: "action", name: "ana", text: "waves" });
    expect(classify("something else")).toEqual({ kind: "plain", line: "something else" });
  });

  test("private lines in Portuguese too", () => {
    expect(classify(read(pt.reply("privateFrom", ["bob", "oi"])))).toMatchObject({
      kind: "private-from",
      tag: "[privado]",
      name: "bob",
      text: "oi",
    });
    expect(classify(read(pt.reply("privateTo", ["bob", "oi"])))).toMatchObject({
      kind: "private-to",
      tag: "[privado para bob]",
      text: "oi",
    });
  });

  test("a history line carries the line as it was said and when, in either language", () => {
    expect(classify(read(en.history("bob", "hi", 3, said(9, 41), "09:41")))).toMatchObject({
      kind: "history",
      time: new Date(said(9, 41)),
      head: "[history 09:41]",
      said: { kind: "chat", name: "bob", text: "hi" },
    });
    expect(classify(read(pt.history("bia", "oi", 3, said(23, 5), "23:05")))).toMatchObject({
      kind: "history",
      head: "[histórico 23:05]",
      said: { kind: "chat", name: "bia", text: "oi" },
    });
    // Only chat and actions are ever replayed: anything else stays as it came.
    expect(
      classify(
        read(
          "@kind=history;line=*\\sserver\\sshutting\\sdown [history 09:41] * server shutting down",
        ),
      ),
    ).toMatchObject({ kind: "plain" });
  });

  test("a line without tags is never private nor history: no user line passes for one", () => {
    expect(classify("[private] <bob> psst")).toMatchObject({ kind: "plain" });
    expect(classify("[history 09:41] <bob> hi")).toMatchObject({ kind: "plain" });
  });

  test("an action is told from a notice by its <NAME>", () => {
    expect(classify("* <server> shutting down")).toMatchObject({
      kind: "action",
      name: "server",
      text: "shutting down",
    });
    expect(classify("* server shutting down")).toEqual({
      kind: "notice",
      line: "* server shutting down",
    });
    expect(classify("* <ana> <bob> fake")).toMatchObject({
      kind: "action",
      name: "ana",
      text: "<bob> fake",
    });
  });

  test("a chat text that looks like a prefix stays text", () => {
    expect(classify("<ana> <bob> fake")).toMatchObject({
      kind: "chat",
      name: "ana",
      text: "<bob> fake",
    });
    expect(classify("<ana> [private] <x> y")).toMatchObject({ kind: "chat", name: "ana" });
    expect(classify("<ana> [history 10:00] <x> y")).toMatchObject({ kind: "chat", name: "ana" });
  });
});

describe("renderLine without colour", () => {
  test("is the timestamp and the line, unchanged", () => {
    expect(renderLine("<ana> hi", plain)).toBe("09:05 <ana> hi");
    expect(renderLine("* bob joined", plain)).toBe("09:05 * bob joined");
    expect(renderLine("! nope", plain)).toBe("09:05 ! nope");
    expect(renderLine(read(en.reply("privateFrom", ["bob", "psst"])), plain)).toBe(
      "09:05 [private] <bob> psst",
    );
    expect(renderLine(read(en.reply("privateTo", ["bob", "psst"])), plain)).toBe(
      "09:05 [private to bob] psst",
    );
    expect(renderLine("* <ana> waves", plain)).toBe("09:05 * <ana> waves");
  });

  test("Portuguese private lines are shown as they came", () => {
    expect(renderLine(read(pt.reply("privateFrom", ["bob", "oi"])), plain)).toBe(
      "09:05 [privado] <bob> oi",
    );
    expect(renderLine(read(pt.reply("privateTo", ["bob", "oi"])), plain)).toBe(
      "09:05 [privado para bob] oi",
    );
  });

  test("a history line keeps the server's marker, with the day and time it was said", () => {
    expect(renderLine(read(en.history("bob", "hi", 1, said(8, 30), "08:30")), plain)).toBe(
      "[history Jan 1 08:30] <bob> hi",
    );
    expect(
      renderLine(read(pt.history("bob", "oi", 1, said(8, 30), "08:30")), { ...plain, lang: "pt" }),
    ).toBe("[histórico 1 jan 08:30] <bob> oi");
  });

  test("a room line shows when it was said: the time today, the day too before", () => {
    expect(renderLine(read(en.chat("bob", "hi", 4, today(8, 1))), plain)).toBe("08:01 <bob> hi");
    expect(renderLine(read(en.chat("bob", "hi", 4, said(23, 59))), plain)).toBe(
      "Jan 1 23:59 <bob> hi",
    );
  });

  test("mentions and your own name change nothing without colour", () => {
    const self = { ...plain, self: "ana" };
    expect(renderLine("<bob> hi ana", self)).toBe("09:05 <bob> hi ana");
    expect(renderLine("<ana> hi", self)).toBe("09:05 <ana> hi");
  });

  test("an action keeps its <NAME>, so it never reads as the server's notice", () => {
    expect(renderLine("* <server> shutting down", plain)).not.toBe(
      renderLine("* server shutting down", plain),
    );
  });

  test("has no escape sequences at all", () => {
    for (const line of [
      "<ana> hi",
      "* <ana> waves",
      "* n",
      "! e",
      read(en.reply("privateFrom", ["b", "p"])),
      read(en.reply("privateTo", ["b", "p"])),
      read(en.history("ana", "hi", 1)),
      "<b> hi ana",
      "x",
    ]) {
      expect(renderLine(line, { ...plain, self: "ana" })).not.toMatch(ESC);
    }
  });
});

describe("renderLine with colour", () => {
  test("colours the name with its own colour", () => {
    const out = renderLine("<ana> hi", colored);
    expect(out).toContain(`\x1b[${nameColor("ana")}mana\x1b[0m`);
    expect(out.endsWith(" hi")).toBe(true);
  });

  test("dims notices and the timestamp, reddens errors", () => {
    expect(renderLine("* bob joined", colored)).toBe(
      "\x1b[2m09:05\x1b[0m \x1b[2m* bob joined\x1b[0m",
    );
    expect(renderLine("! nope", colored)).toBe("\x1b[2m09:05\x1b[0m \x1b[31m! nope\x1b[0m");
  });

  test("an action has its name in the name's colour and is not dimmed", () => {
    expect(renderLine("* <ana> waves", colored)).toBe(
      `\x1b[2m09:05\x1b[0m * <\x1b[${nameColor("ana")}mana\x1b[0m> waves`,
    );
  });

  test("highlights private messages both ways, in either language", () => {
    expect(renderLine(read(en.reply("privateFrom", ["bob", "psst"])), colored)).toContain(
      "\x1b[1;7;35m[private]\x1b[0m",
    );
    expect(renderLine(read(en.reply("privateTo", ["bob", "psst"])), colored)).toContain(
      "\x1b[1;7;35m[private to bob]\x1b[0m",
    );
    expect(renderLine(read(pt.reply("privateFrom", ["bob", "oi"])), colored)).toBe(
      `\x1b[2m09:05\x1b[0m \x1b[1;7;35m[privado]\x1b[0m <\x1b[${nameColor("bob")}mbob\x1b[0m> \x1b[1moi\x1b[0m`,
    );
  });

  test("history is dim, with the day and time it was said instead of the time it came", () => {
    expect(renderLine(read(en.history("bob", "hi", 1, said(8, 30))), colored)).toBe(
      "\x1b[2mJan 1 08:30 <bob> hi\x1b[0m",
    );
    expect(
      renderLine(read(pt.history("bob", "oi", 1, said(8, 31))), { ...colored, lang: "pt" }),
    ).toBe("\x1b[2m1 jan 08:31 <bob> oi\x1b[0m");
  });

  test("your own name is bold; other names are not", () => {
    const self = { ...colored, self: "Ana" };
    expect(renderLine("<ana> mine", self)).toBe(
      `\x1b[2m09:05\x1b[0m <\x1b[1m\x1b[${nameColor("ana")}mana\x1b[0m> mine`,
    );
    expect(renderLine("<bob> theirs", self)).toBe(
      `\x1b[2m09:05\x1b[0m <\x1b[${nameColor("bob")}mbob\x1b[0m> theirs`,
    );
  });

  test("a line that mentions you is bold, with your name reversed wherever it is", () => {
    const self = { ...colored, self: "ana" };
    expect(renderLine("<bob> ANA, look: ana.", self)).toBe(
      `\x1b[2m09:05\x1b[0m <\x1b[${nameColor("bob")}mbob\x1b[0m> \x1b[1m\x1b[1;7mANA\x1b[0m\x1b[1m, look: \x1b[1;7mana\x1b[0m\x1b[1m.\x1b[0m`,
    );
    expect(renderLine("* <bob> waves at ana", self)).toContain("\x1b[1;7mana\x1b[0m");
    // Someone else's name that contains yours is not a mention.
    expect(renderLine("<bob> anabela, ana-maria", self)).toBe(
      `\x1b[2m09:05\x1b[0m <\x1b[${nameColor("bob")}mbob\x1b[0m> anabela, ana-maria`,
    );
  });
});

describe("renderLine strips what a hostile server sends", () => {
  const nasty = [
    "<evil> \x1b[2J\x1b[Hcleared your screen",
    "<evil> \x1b]0;new title\x07title",
    "<evil> \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
    "<evil> bell\x07 and \x9b31m8-bit CSI",
    "<evil> back\bspace\rreturn",
    "* \x1bPdevice control\x1b\\",
    "[history 10:00] <evil> \x1b[2Jold\x07",
    "[private] <evil> \x1b]0;t\x07ana",
    read(en.history("evil", "\x1b[2Jold\x07", 1)),
    read(en.reply("privateFrom", ["evil", "\x1b]0;t\x07ana"])),
    read(en.chat("evil", "\x1b[2Jnow", 2)),
  ];
  for (const line of nasty) {
    test(JSON.stringify(typeof line === "string" ? line : line.text), () => {
      expect(renderLine(line, plain)).not.toMatch(ESC);
      // With colour on, the only escapes left are the client's own SGR codes.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: see above
      const stripped = renderLine(line, { ...colored, self: "ana" }).replace(/\x1b\[[0-9;]*m/g, "");
      expect(stripped).not.toMatch(ESC);
    });
  }

  test("keeps the visible text", () => {
    expect(renderLine("<evil> \x1b[31mred\x1b[0m text", plain)).toBe("09:05 <evil> red text");
  });
});

describe("colorEnabled", () => {
  const tty = { noColorFlag: false, env: { TERM: "xterm-256color" }, stdoutIsTTY: true };

  test("on for a terminal", () => {
    expect(colorEnabled(tty)).toBe(true);
  });

  test("off with --no-color, NO_COLOR, a dumb terminal or no terminal", () => {
    expect(colorEnabled({ ...tty, noColorFlag: true })).toBe(false);
    expect(colorEnabled({ ...tty, env: { NO_COLOR: "1" } })).toBe(false);
    expect(colorEnabled({ ...tty, env: { TERM: "dumb" } })).toBe(false);
    expect(colorEnabled({ ...tty, stdoutIsTTY: false })).toBe(false);
  });

  test("an empty NO_COLOR does not count (no-color.org)", () => {
    expect(colorEnabled({ ...tty, env: { NO_COLOR: "" } })).toBe(true);
  });
});

describe("small pieces", () => {
  test("local lines are dim only with colour", () => {
    expect(renderLocal("keys:", false)).toBe("keys:");
    expect(renderLocal("keys:", true)).toBe("\x1b[2mkeys:\x1b[0m");
  });

  test("clearInputArea moves up only when the input wraps", () => {
    expect(clearInputArea(0)).toBe("\r\x1b[J");
    expect(clearInputArea(2)).toBe("\r\x1b[2A\x1b[J");
  });
});

describe("an operator's lines (version 2's op tag)", () => {
  const plain = { color: false, time: at(9, 5), self: "", lang: "en" as const };
  test("shown with @ before the name, in the line and in colour; others' lines as they are", () => {
    const op = read("@kind=chat;from=prof;op= <prof> attention");
    expect(classify(op)).toMatchObject({ kind: "chat", name: "prof", op: true });
    expect(renderLine(op, plain)).toBe("09:05 <@prof> attention");
    expect(renderLine(op, { ...plain, color: true })).toContain("<@");
    const action = read("@kind=action;from=prof;op= * <prof> waves");
    expect(renderLine(action, plain)).toBe("09:05 * <@prof> waves");
    const student = read("@kind=chat;from=bea <bea> hi");
    expect(renderLine(student, plain)).toBe("09:05 <bea> hi");
  });
});
