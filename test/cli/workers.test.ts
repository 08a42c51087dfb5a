import { describe, expect, test } from "bun:test";
import { workerCount } from "../../src/cli/workers.ts";

describe("--workers", () => {
  test("a count, or auto for one per core", () => {
    expect(workerCount("3", 2)).toBe(3);
    expect(workerCount("auto", 8)).toBe(8);
    expect(workerCount("auto", 0)).toBe(1);
    for (const bad of ["0", "-1", "1.5", "x", "", "257"]) {
      expect(() => workerCount(bad, 2)).toThrow(
        /--workers must be a number from 1 to 256, or auto/,
      );
    }
  });
});
