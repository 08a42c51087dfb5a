import { describe, expect, test } from "bun:test";
import { complete } from "../../src/client/tty/complete.ts";

const members = ["ana", "Anabela", "bob", "zé"];

describe("Tab completion", () => {
  test("a name at the start of the line addresses someone: 'name: '", () => {
    expect(complete("b", members, "zé")).toEqual([["bob: "], "b"]);
    expect(complete("an", members, "zé")).toEqual([["ana: ", "Anabela: "], "an"]);
    expect(complete("ANAB", members, "zé")).toEqual([["Anabela: "], "ANAB"]);
  });

  test("elsewhere, just the name", () => {
    expect(complete("hi b", members, "zé")).toEqual([["bob "], "b"]);
    expect(complete("ask @an", members, "zé")).toEqual([["@ana ", "@Anabela "], "@an"]);
    expect(complete("/me waves at b", members, "zé")).toEqual([["bob "], "b"]);
    expect(complete("/me b", members, "zé")).toEqual([["bob "], "b"]);
  });

  test("never your own name, and nothing after a space", () => {
    expect(complete("z", members, "zé")).toEqual([[], "z"]);
    expect(complete("hi ", members, "zé")).toEqual([[], ""]);
    expect(complete("", members, "zé")).toEqual([[], ""]);
  });

  test("commands, in any case", () => {
    expect(complete("/wh", members, "zé")).toEqual([["/who "], "/wh"]);
    expect(complete("/", members, "zé")[0]).toContain("/unban ");
    expect(complete("/", members, "zé")[0]).not.toContain("//TEXT ");
    expect(complete("/M", members, "zé")).toEqual([["/me ", "/msg ", "/mute "], "/M"]);
    expect(complete("/q", members, "zé")).toEqual([["/quiet ", "/quit "], "/q"]);
    expect(complete("/x", members, "zé")).toEqual([[], "/x"]);
  });

  test("a command's name argument, and /lang's languages", () => {
    expect(complete("/msg b", members, "zé")).toEqual([["bob "], "b"]);
    expect(complete("/kick ana", members, "zé")).toEqual([["ana ", "Anabela "], "ana"]);
    expect(complete("/lang p", members, "zé")).toEqual([["pt "], "p"]);
    expect(complete("/nick b", members, "zé")).toEqual([[], "b"]);
    expect(complete("/mute b", members, "zé")).toEqual([["bob "], "b"]);
    expect(complete("/quiet o", members, "zé")).toEqual([[], "o"]);
    expect(complete("/op b", members, "zé")).toEqual([[], "b"]);
    expect(complete("/nick ana b", members, "zé")).toEqual([[], "b"]);
  });
});
