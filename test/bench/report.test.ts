import { describe, expect, test } from "bun:test";
import { chartSpec, failureList, ratio, resultsTable } from "../../bench/report/summary.ts";
import { chartSvg, escapeXml, logRange } from "../../bench/report/svg.ts";
import { markdownTable } from "../../bench/report/table.ts";
import { emptyResult, type Result } from "../../bench/scenarios/result.ts";

function result(scenario: Result["scenario"], target: Result["target"], rate: number): Result {
  const r = emptyResult(scenario, target, 100);
  r.rate = rate;
  r.expected = 1000;
  r.received = 1000;
  r.serverNsPerDelivery = 1e9 / rate;
  return r;
}

const results = [
  result("crowd", "papo", 10e6),
  result("crowd", "node-net", 0.25e6),
  result("crowd", "bun-naive", 0.5e6),
];

describe("markdownTable", () => {
  test("pads columns to the widest cell and right-aligns numbers", () => {
    const table = markdownTable(
      ["name", "n"],
      [
        ["a", "1"],
        ["bbb", "22"],
      ],
      ["left", "right"],
    );
    expect(table.split("\n")).toEqual([
      "| name |  n |",
      "| ---- | -: |",
      "| a    |  1 |",
      "| bbb  | 22 |",
    ]);
  });
});

describe("summary", () => {
  test("ratios are papo over the baseline in the same scenario", () => {
    expect(ratio(results, "crowd", "node-net")).toBe(40);
    expect(ratio(results, "crowd", "bun-naive")).toBe(20);
    expect(ratio(results, "room", "node-net")).toBeNull();
  });

  test("the table shows ratios on papo's row only", () => {
    const rows = resultsTable(results).split("\n").slice(2);
    expect(rows[0]).toContain("40.0×");
    expect(rows[1]).not.toContain("×");
  });

  test("failures are listed with their scenario and server", () => {
    const failed = result("room", "papo", 1);
    failed.failures.push("3 lines lost");
    expect(failureList([...results, failed])).toEqual(["room (papo): 3 lines lost"]);
  });
});

describe("chart", () => {
  test("log range encloses every positive value in powers of ten", () => {
    expect(logRange([150, 12_000_000])).toEqual([2, 8]);
    expect(logRange([0, -1])).toEqual([0, 1]);
    expect(logRange([100])).toEqual([2, 3]);
  });

  test("escapes text", () => {
    expect(escapeXml(`<a & "b">`)).toBe("&lt;a &amp; &quot;b&quot;&gt;");
  });

  test("one bar per server and scenario, each labelled with its value", () => {
    const svg = chartSvg(chartSpec(results, "test <machine>"));
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("test &lt;machine&gt;");
    // The chart's own title, then one per bar: three in each of the first two panels.
    expect(svg.match(/<title>/g)?.length).toBe(1 + 6);
    expect(svg).toContain(">10M<");
    expect(svg).toContain(">250k<");
    expect(svg).not.toContain("NaN");
  });
});
