/** The input box's pure parts: what Up and Down bring back, and what counts as a secret. */

import { describe, expect, test } from "bun:test";
import { MAX_HISTORY, secret, TypedHistory } from "../../src/web/input.ts";

describe("secret", () => {
  test('"/op " and what follows, in any case, after sanitising', () => {
    expect(secret("/op s3cret")).toBe(true);
    expect(secret("/OP\ts3cret")).toBe(true);
    expect(secret("/op ")).toBe(true);
    expect(secret("\x1b[31m/op s3cret")).toBe(true);
    expect(secret("/op")).toBe(false);
    expect(secret("/opera")).toBe(false);
    expect(secret("the /op s3cret")).toBe(false);
  });
});

describe("TypedHistory", () => {
  test("nothing kept: the keys do their usual thing", () => {
    const history = new TypedHistory();
    expect(history.step("up", "half")).toBeNull();
    history.sent("   ");
    expect(history.step("up", "half")).toBeNull();
  });

  test("Up goes back, Down comes forward to what was being typed", () => {
    const history = new TypedHistory();
    history.sent("one");
    history.sent("/me waves");
    expect(history.step("up", "half")).toBe("/me waves");
    expect(history.step("up", "/me waves")).toBe("one");
    expect(history.step("up", "one")).toBe("one");
    expect(history.step("down", "one")).toBe("/me waves");
    expect(history.step("down", "/me waves")).toBe("half");
    expect(history.step("down", "half")).toBe("half");
  });

  test("never an /op line, and a line sent twice in a row once", () => {
    const history = new TypedHistory();
    history.sent("hi");
    history.sent("/op s3cret");
    history.sent("/OP s3cret");
    history.sent("hi");
    expect(history.step("up", "")).toBe("hi");
    expect(history.step("up", "hi")).toBe("hi");
  });

  test("a line sent starts browsing again from the box", () => {
    const history = new TypedHistory();
    history.sent("one");
    history.sent("two");
    expect(history.step("up", "")).toBe("two");
    expect(history.step("up", "two")).toBe("one");
    history.sent("three");
    expect(history.step("up", "draft")).toBe("three");
    expect(history.step("down", "three")).toBe("draft");
  });

  test(`at most ${MAX_HISTORY} lines, the oldest dropped`, () => {
    const history = new TypedHistory();
    for (let i = 0; i <= MAX_HISTORY; i++) history.sent(`line ${i}`);
    let shown = "";
    for (let i = 0; i < MAX_HISTORY + 5; i++) shown = history.step("up", shown) ?? "";
    expect(shown).toBe("line 1");
  });
});
