/**
 * The page's pure parts added for issue 19: which addresses become links,
 * what Tab completes, which replies give a line back to the input, and
 * where the header's topic comes from.
 */

import { describe, expect, test } from "bun:test";
import { read } from "../../src/client/core/meaning.ts";
import { tagged } from "../../src/protocol/tags.ts";
import { linkParts } from "../../src/web/links.ts";
import { REFUSALS, refusedLine, restored } from "../../src/web/refused.ts";
import { TabCompleter } from "../../src/web/tab.ts";
import { topicOf } from "../../src/web/topic.ts";

describe("linkParts", () => {
  test("http and https addresses, the sentence's punctuation left out", () => {
    expect(linkParts("see https://example.org/a?b=1, then http://x.test/y.")).toEqual([
      { text: "see ", href: null },
      { text: "https://example.org/a?b=1", href: "https://example.org/a?b=1" },
      { text: ", then ", href: null },
      { text: "http://x.test/y", href: "http://x.test/y" },
      { text: ".", href: null },
    ]);
  });

  test("a bracket the address opened stays in it; one around it does not", () => {
    expect(linkParts("(https://w.test/a_(b))").map((p) => p.text)).toEqual([
      "(",
      "https://w.test/a_(b)",
      ")",
    ]);
    expect(linkParts("(https://w.test/a)").map((p) => p.href)).toEqual([
      null,
      "https://w.test/a",
      null,
    ]);
  });

  test("no other scheme, and nothing from an HTML string", () => {
    for (const text of [
      "javascript:alert(1)",
      "data:text/html,<b>x</b>",
      "ftp://x.test/",
      "<a href=https>x</a>",
    ]) {
      expect(linkParts(text)).toEqual([{ text, href: null }]);
    }
    expect(linkParts("")).toEqual([]);
  });

  test("an address is the browser's own reading of it", () => {
    expect(linkParts("HTTPS://Example.ORG")).toEqual([
      { text: "HTTPS://Example.ORG", href: "https://example.org/" },
    ]);
  });
});

describe("TabCompleter", () => {
  const members = ["ana", "anabel", "bia", "prof"];
  const completer = () =>
    new TabCompleter(
      () => members,
      () => "bia",
    );

  test("a partial word: a name, a command; nothing to complete lets Tab move on", () => {
    expect(completer().tab("pr", 2)).toEqual({ value: "prof: ", cursor: 6 });
    expect(completer().tab("/he", 3)).toEqual({ value: "/help ", cursor: 6 });
    expect(completer().tab("hi @an", 6)).toEqual({ value: "hi @ana ", cursor: 8 });
    expect(completer().tab("", 0)).toBeNull();
    expect(completer().tab("hello ", 6)).toBeNull();
    expect(completer().tab("zz", 2)).toBeNull();
    // Nobody addresses themselves.
    expect(completer().tab("bi", 2)).toBeNull();
  });

  test("again: the next candidate, and past the last Tab moves on", () => {
    const tab = completer();
    expect(tab.tab("an", 2)).toEqual({ value: "ana: ", cursor: 5 });
    expect(tab.tab("ana: ", 5)).toEqual({ value: "anabel: ", cursor: 8 });
    expect(tab.tab("anabel: ", 8)).toBeNull();
  });

  test("in the middle of a line: the rest stays after the cursor", () => {
    expect(completer().tab("/msg an hi", 7)).toEqual({ value: "/msg ana  hi", cursor: 9 });
  });
});

describe("refusedLine", () => {
  const reply = (ev: string) => read(`@kind=reply;ev=${ev};args=[] ! no`);

  test("a refusal gives back the line it names (unsaid), once; one naming none, nothing", () => {
    for (const ev of ["mutedYou", "slowMode", "quietMode", "noSuchUser", "blockTooLong"]) {
      expect(REFUSALS.has(ev)).toBe(true);
    }
    expect(refusedLine(read("@kind=reply;ev=slowMode;args=[2000];unsaid=second ! no"))).toBe(
      "second",
    );
    expect(refusedLine(read("@kind=reply;ev=mutedYou;args=[];unsaid=third ! no"))).toBe("third");
    // Naming no line (an operator's command to nobody): the line sent last may have been said.
    expect(refusedLine(reply("noSuchUser"))).toBeNull();
  });

  test("other replies, and a slow-down (delayed, not dropped), give nothing back", () => {
    expect(refusedLine(reply("slowDown"))).toBeNull();
    expect(refusedLine(reply("who"))).toBeNull();
    expect(refusedLine(read("! mutedYou"))).toBeNull();
  });

  test("into an empty box; something new being typed is left alone", () => {
    expect(restored("", "hello")).toBe("hello");
    expect(restored("  ", "hello")).toBe("hello");
    expect(restored("hello", "hello")).toBe("hello");
    expect(restored("next line", "hello")).toBeNull();
  });
});

describe("topicOf", () => {
  const line = (kind: string, ev: string, args: unknown[]) =>
    read(tagged({ kind, ev, args: JSON.stringify(args) }, "* the words"));

  test("the topic after the welcome, when it is set, and when there is none", () => {
    expect(topicOf(line("reply", "topic", ["exam at 10"]))).toBe("exam at 10");
    expect(topicOf(line("notice", "topicSet", ["prof", "slides \u001b[31mup"]))).toBe("slides up");
    expect(topicOf(line("reply", "noTopic", []))).toBe("");
    expect(topicOf(line("reply", "who", [1, ["ana"]]))).toBeNull();
    expect(topicOf(read("* topic: not tagged"))).toBeNull();
  });
});
