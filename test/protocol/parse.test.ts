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

  test("moderation: /mute NAME [MINUTES], /unmute NAME, /slow SECONDS, /quiet [off]", () => {
    expect(parseInput("/mute bob")).toEqual({ kind: "mute", name: "bob" });
    expect(parseInput("/mute bob 10")).toEqual({ kind: "mute", name: "bob", minutes: 10 });
    expect(parseInput("/mute bob 0.5")).toEqual({ kind: "mute", name: "bob", minutes: 0.5 });
    for (const bad of ["/mute", "/mute bob 0", "/mute bob -1", "/mute bob ten", "/mute bob 1 2"]) {
      expect(parseInput(bad)).toEqual({ kind: "usage", usage: "/mute NAME [MINUTES]" });
    }
    expect(parseInput("/unmute bob")).toEqual({ kind: "unmute", name: "bob" });
    expect(parseInput("/unmute")).toEqual({ kind: "usage", usage: "/unmute NAME" });
    expect(parseInput("/slow 5")).toEqual({ kind: "slow", seconds: 5 });
    expect(parseInput("/slow 0")).toEqual({ kind: "slow", seconds: 0 });
    expect(parseInput("/slow")).toEqual({ kind: "usage", usage: "/slow SECONDS" });
    expect(parseInput("/quiet")).toEqual({ kind: "quiet", on: true });
    expect(parseInput("/QUIET Off")).toEqual({ kind: "quiet", on: false });
    expect(parseInput("/quiet now")).toEqual({ kind: "usage", usage: "/quiet [off]" });
  });

  test("anything else is unknown", () => {
    expect(parseInput("/dance now")).toEqual({ kind: "unknown", command: "/dance" });
    expect(parseInput("/")).toEqual({ kind: "unknown", command: "/" });
  });
});
