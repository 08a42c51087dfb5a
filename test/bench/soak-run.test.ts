import { expect, test } from "bun:test";
import { Progress } from "../../bench/report/progress.ts";
import { runSoak } from "../../bench/soak/run.ts";

// A soak of 12 seconds against a real papo, every kind of member included:
// what CI's `bun bench soak --quick` does for a minute, short enough for `bun test`.
test("a short soak loses no line, reads none twice, and ends cleanly", async () => {
  const result = await runSoak(0.2, new Progress(false));
  expect(result.failures).toEqual([]);
  expect(result.rows.length).toBe(1);
  expect(result.samples.length).toBeGreaterThanOrEqual(2);
  expect(result.checked).toBeGreaterThan(1000);
  // Falling past the log's window is no loss (the member is told how many it missed): on a
  // busy machine a stopped reader may, so only lost and twice-read lines fail the run.
  expect(result.totals).toMatchObject({ lost: 0, duplicates: 0, unsaid: 0 });
  expect(result.done.churned).toBeGreaterThan(10);
  expect(result.rows[0]?.rssBytes).toBeGreaterThan(0);
  expect(result.rows[0]?.fds).toBeGreaterThan(0);
}, 90_000);
