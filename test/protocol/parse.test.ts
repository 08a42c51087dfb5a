import { describe, expect, test } from "bun:test";
import { parseInput } from "../../src/protocol/parse.ts";

describe("parseInput", () => {
  test("plain text is a message, kept as typed", () => {
    expect(parseInput("hello  there ")).toEqual({ kind: "message", text: "hello  there " });
  });

  test("blank lines are nothing", () => {
    expect(parseInput("")).toEqual({ kind: "empty" });
    expect(parseInput(" \t ")).toEqual({ kind: "empty" });
  });

  test("//text sends /text", () => {
    expect(parseInput("//shrug")).toEqual({ kind: "message", text: "/shrug" });
  });

  test("commands, case-insensitive", () => {
    expect(parseInput("/who")).toEqual({ kind: "who" });
    expect(parseInput("/WHO")).toEqual({ kind: "who" });
    expect(parseInput("/help")).toEqual({ kind: "help" });
    expect(parseInput("/nick  Bia ")).toEqual({ kind: "nick", name: "Bia" });
    expect(parseInput("/me waves hello")).toEqual({ kind: "me", action: "waves hello" });
    expect(parseInput("/msg bob hi there")).toEqual({ kind: "msg", to: "bob", text: "hi there" });
    expect(parseInput("/quit")).toEqual({ kind: "quit", reason: "" });
    expect(parseInput("/quit see you")).toEqual({ kind: "quit", reason: "see you" });
  });

  test("missing arguments give usage", () => {
    expect(parseInput("/nick")).toEqual({ kind: "usage", usage: "/nick NAME" });
    expect(parseInput("/me ")).toEqual({ kind: "usage", usage: "/me ACTION" });
    expect(parseInput("/msg bob")).toEqual({ kind: "usage", usage: "/msg NAME TEXT" });
    expect(parseInput("/msg bob   ")).toEqual({ kind: "usage", usage: "/msg NAME TEXT" });
    expect(parseInput("/msg")).toEqual({ kind: "usage", usage: "/msg NAME TEXT" });
  });

  test("anything else is unknown", () => {
    expect(parseInput("/dance now")).toEqual({ kind: "unknown", command: "/dance" });
    expect(parseInput("/")).toEqual({ kind: "unknown", command: "/" });
  });
});
