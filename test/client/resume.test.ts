import { describe, expect, test } from "bun:test";
import { read } from "../../src/client/core/meaning.ts";
import { Resume } from "../../src/client/core/resume.ts";
import { EPOCH, v2 } from "./v2.ts";

const en = v2("en");
const other = v2("en", "00aa11bb22cc33dd");

/** The texts of `lines` that the client shows, in order. */
function showing(resume: Resume, ...lines: string[]): string[] {
  return lines.map(read).flatMap((line) => (resume.shows(line) ? [line.text] : []));
}

describe("resuming where we left", () => {
  test("nothing to resume before a welcome; then the token and the last line shown", () => {
    const resume = new Resume();
    expect(resume.request()).toBeNull();
    resume.welcomed("12.secret", read(en.welcome("ana", ["ana"], "x", 40)).pos);
    expect(resume.request()).toBe(`RESUME 12.secret ${EPOCH}.40`);
    showing(resume, en.chat("bob", "hi", 41), en.notice("joined", ["cy"], 42));
    expect(resume.request()).toBe(`RESUME 12.secret ${EPOCH}.42`);
  });

  test("each resume's token replaces the last; a failed one leaves none", () => {
    const resume = new Resume();
    resume.welcomed("1.a", null);
    expect(resume.request()).toBe("RESUME 1.a -");
    resume.resumed("2.b");
    expect(resume.request()).toBe("RESUME 2.b -");
    resume.failed();
    expect(resume.request()).toBeNull();
  });

  test("a replay never shows a line twice, whatever connection brings it", () => {
    const resume = new Resume();
    resume.welcomed("t", read(en.welcome("ana", ["ana"], "t", 10)).pos);
    expect(showing(resume, en.chat("bob", "one", 11), en.chat("bob", "two", 12))).toEqual([
      "<bob> one",
      "<bob> two",
    ]);
    // Cut after 12; the server replays from 11 (what it could not know we had).
    resume.resumed("t2");
    expect(
      showing(
        resume,
        en.resumed("ana", "t2", 12),
        en.chat("bob", "one", 11),
        en.chat("bob", "two", 12),
        en.notice("left", ["cy"], 13),
        en.chat("bob", "three", 14),
        en.chat("bob", "three", 14),
      ),
    ).toEqual(["* welcome back, ana", "* cy left", "<bob> three"]);
  });

  test("lines without a position (replies, private lines) are always shown", () => {
    const resume = new Resume();
    resume.welcomed("t", read(en.welcome("ana", ["ana"], "t", 5)).pos);
    const line = en.reply("privateFrom", ["bob", "psst"]);
    expect(showing(resume, line, line)).toEqual(["[private] <bob> psst", "[private] <bob> psst"]);
  });

  test("a gap is shown, and the lines after it", () => {
    const resume = new Resume();
    resume.welcomed("t", read(en.welcome("ana", ["ana"], "t", 5)).pos);
    expect(showing(resume, en.gap("too-old", 100, 106), en.chat("bob", "now", 106))).toEqual([
      "* you missed 100 lines",
      "<bob> now",
    ]);
  });

  test("a line of another epoch is a new line: the log started afresh", () => {
    const resume = new Resume();
    resume.welcomed("t", read(en.welcome("ana", ["ana"], "t", 50)).pos);
    expect(
      showing(resume, other.gap("restart", undefined, 1), other.chat("bob", "new", 1)),
    ).toEqual(["* the server restarted: lines said while you were away are lost", "<bob> new"]);
    expect(showing(resume, other.chat("bob", "new", 1))).toEqual([]);
  });
});

describe("history", () => {
  test("a newcomer's history is shown whole, though it comes before the welcome's position", () => {
    const resume = new Resume();
    resume.welcomed("t", read(en.welcome("ana", ["ana"], "t", 3)).pos);
    expect(showing(resume, en.history("bob", "a", 2), en.history("bob", "b", 3))).toEqual([
      "[history 11:50] <bob> a",
      "[history 11:50] <bob> b",
    ]);
  });

  test("rejoined as new, the history shows only what was not shown already", () => {
    const resume = new Resume();
    resume.welcomed("t", read(en.welcome("ana", ["ana"], "t", 3)).pos);
    showing(resume, en.chat("bob", "c", 4), en.chat("bob", "d", 5));
    expect(resume.welcomed("u", read(en.welcome("ana", ["ana"], "u", 7)).pos)).toBe("some");
    expect(
      showing(
        resume,
        en.history("bob", "c", 4),
        en.history("bob", "d", 5),
        en.history("bob", "e", 6),
        en.chat("bob", "f", 8),
      ),
    ).toEqual(["[history 11:50] <bob> e", "<bob> f"]);
  });

  test("a rejoin says whether the log started afresh, or lines may be missing", () => {
    const resume = new Resume();
    expect(resume.welcomed("t", read(en.welcome("ana", ["ana"], "t", 3)).pos)).toBeNull();
    expect(resume.welcomed("t", read(en.welcome("ana", ["ana"], "t", 3)).pos)).toBeNull();
    expect(resume.welcomed("t", read(other.welcome("ana", ["ana"], "t", 0)).pos)).toBe("restart");
    expect(resume.welcomed("t", read(other.welcome("ana", ["ana"], "t", 2)).pos)).toBe("some");
  });
});
