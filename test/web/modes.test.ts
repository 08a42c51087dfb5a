/** The room's moderation modes as the page's header shows them, and the page's language. */

import { describe, expect, test } from "bun:test";
import { read } from "../../src/client/core/meaning.ts";
import { tagged } from "../../src/protocol/tags.ts";
import { PageLanguage } from "../../src/web/language.ts";
import { modesAfter, NO_MODES } from "../../src/web/modes.ts";
import { WORDS } from "../../src/web/words.ts";

const notice = (ev: string, args: unknown[]) =>
  read(tagged({ kind: "notice", ev, args: JSON.stringify(args) }, "* the words"));

describe("modesAfter", () => {
  test("slow and quiet mode, on and off, from the notices' ev", () => {
    const slow = modesAfter(NO_MODES, notice("slowOn", ["prof", 10]));
    expect(slow).toEqual({ slow: 10, quiet: false });
    const both = modesAfter(slow, notice("quietOn", ["prof"]));
    expect(both).toEqual({ slow: 10, quiet: true });
    expect(modesAfter(both, notice("slowOff", ["prof"]))).toEqual({ slow: null, quiet: true });
    expect(modesAfter(both, notice("quietOff", ["prof"]))).toEqual({ slow: 10, quiet: false });
    expect(modesAfter(NO_MODES, notice("slowOn", ["prof", 0.5]))).toEqual({
      slow: 0.5,
      quiet: false,
    });
  });

  test("other lines, and a slowOn without its seconds, change nothing", () => {
    expect(modesAfter(NO_MODES, notice("joined", ["ana"]))).toBe(NO_MODES);
    expect(modesAfter(NO_MODES, notice("slowOn", ["prof"]))).toBe(NO_MODES);
    expect(modesAfter(NO_MODES, read("* prof turned slow mode on: one line every 5 s each"))).toBe(
      NO_MODES,
    );
  });

  test("the state at once, for when the server tells a newcomer (roomModes)", () => {
    const line = read(tagged({ kind: "reply", ev: "roomModes", args: "[5,true]" }, "* modes"));
    expect(modesAfter(NO_MODES, line)).toEqual({ slow: 5, quiet: true });
  });

  test("the header's words for them, in both languages", () => {
    expect(WORDS.en.slowMode(10)).toBe("slow mode: 10 s");
    expect(WORDS.pt.slowMode(10)).toBe("modo lento: 10 s");
    expect(WORDS.pt.quietMode).toBe("silêncio: só operadores");
  });
});

describe("PageLanguage", () => {
  test("the browser's language: the server is asked for it unless it speaks it already", () => {
    const changes: string[] = [];
    const pt = new PageLanguage(["pt-BR", "en"], (lang) => changes.push(lang));
    expect(pt.lang).toBe("pt");
    expect(pt.w.send).toBe("Enviar");
    expect(pt.knock("en")).toBe("/lang pt");
    expect(pt.knock("pt")).toBeNull();
    expect(changes).toEqual([]);
  });

  test("neither en nor pt in the browser: the room's language, without asking", () => {
    const changes: string[] = [];
    const page = new PageLanguage(["fr-FR", "de"], (lang) => changes.push(lang));
    const words = page.w;
    expect(page.lang).toBe("en");
    expect(page.knock("pt")).toBeNull();
    expect(page.lang).toBe("pt");
    expect(changes).toEqual(["pt"]);
    // The same object, its words now Portuguese: whoever holds it speaks Portuguese.
    expect(page.w).toBe(words);
    expect(words.send).toBe("Enviar");
  });

  test("the server's answer to /lang switches the page's words; the same language changes nothing", () => {
    const changes: string[] = [];
    const page = new PageLanguage(["pt"], (lang) => changes.push(lang));
    page.speak("en");
    expect(page.w.send).toBe("Send");
    page.speak("en");
    page.speak(null);
    page.speak("fr");
    expect(changes).toEqual(["en"]);
  });
});
