import { describe, expect, test } from "bun:test";
import { niceTop, soakSvg } from "../../bench/report/soak-svg.ts";
import { type Bound, growth, slope } from "../../bench/soak/growth.ts";
import { Ledger, minus, noCounts, seqOf } from "../../bench/soak/ledger.ts";
import { random } from "../../bench/soak/load.ts";
import { LOOP_P99, parseMetrics } from "../../bench/soak/metrics.ts";
import { minuteLine, minuteRow, minuteTable, type Sample } from "../../bench/soak/minutes.ts";
import { parseSoakOptions } from "../../bench/soak/options.ts";

/** A ledger whose witness read chat lines at the given positions, from the given senders. */
function witnessed(lines: Array<[number, string]>): Ledger {
  const ledger = new Ledger();
  ledger.witnessedPosition(0);
  const numbers = new Map<string, number>();
  for (const [pos, from] of lines) {
    const n = (numbers.get(from) ?? 0) + 1;
    numbers.set(from, n);
    ledger.witnessed(pos, from, `#${n} text`);
  }
  return ledger;
}

describe("Ledger: members", () => {
  test("a member that reads every line from its welcome on loses nothing", () => {
    const ledger = witnessed([
      [1, "ana"],
      [2, "bob"],
      [3, "ana"],
    ]);
    ledger.joined("cy", 0);
    for (const pos of [1, 2, 3]) ledger.read("cy", pos);
    ledger.settle();
    expect(ledger.counts).toEqual(noCounts());
    expect(ledger.checked).toBe(3);
  });

  test("a skipped chat line of another member is lost; its own lines and notices are not", () => {
    const ledger = witnessed([
      [1, "ana"],
      [2, "bob"],
      [4, "ana"],
      [5, "ana"],
    ]);
    ledger.witnessedPosition(3); // a notice bob did not get
    ledger.joined("bob", 0);
    ledger.read("bob", 1);
    ledger.read("bob", 5); // skips 2 (its own), 3 (a notice) and 4 (ana's: lost)
    ledger.settle();
    expect(ledger.counts.lost).toBe(1);
  });

  test("lines before the welcome are not owed", () => {
    const ledger = witnessed([
      [1, "ana"],
      [2, "ana"],
      [3, "ana"],
    ]);
    ledger.joined("cy", 2);
    ledger.read("cy", 3);
    ledger.settle();
    expect(ledger.counts.lost).toBe(0);
  });

  test("a skip past what the witness has read is judged once the witness reads past it", () => {
    const ledger = witnessed([[1, "ana"]]);
    ledger.joined("cy", 0);
    ledger.read("cy", 3);
    ledger.settle();
    expect(ledger.counts.lost).toBe(0);
    ledger.witnessed(2, "ana", "#2 text");
    ledger.witnessedPosition(3);
    ledger.settle();
    expect(ledger.counts.lost).toBe(2);
  });

  test("a position read again is a duplicate, across a cut and resume too", () => {
    const ledger = witnessed([
      [1, "ana"],
      [2, "ana"],
    ]);
    ledger.joined("cy", 0);
    ledger.read("cy", 1);
    ledger.read("cy", 2);
    // Resumed from position 1: the replay repeats 2.
    ledger.read("cy", 2);
    ledger.settle();
    expect(ledger.counts.duplicates).toBe(1);
    expect(ledger.counts.lost).toBe(0);
  });

  test("a member past the window is counted apart, not charged for what the gap covers", () => {
    const ledger = witnessed([
      [1, "ana"],
      [2, "ana"],
      [3, "ana"],
      [4, "ana"],
      [5, "ana"],
    ]);
    ledger.joined("cy", 0);
    ledger.read("cy", 1);
    ledger.gap("cy", 4, 2);
    ledger.read("cy", 4);
    ledger.read("cy", 5);
    ledger.settle();
    expect(ledger.counts).toEqual({ ...noCounts(), pastWindow: 1, missed: 2 });
  });

  test("nothing after a kick counts; what was skipped before it still does", () => {
    const ledger = witnessed([
      [1, "ana"],
      [2, "ana"],
      [3, "ana"],
    ]);
    ledger.joined("kv", 0);
    ledger.read("kv", 2); // 1 lost
    ledger.left("kv");
    ledger.read("kv", 2);
    ledger.settle();
    expect(ledger.counts.lost).toBe(1);
    expect(ledger.counts.duplicates).toBe(0);
  });

  test("what the ledger remembers stays bounded by the slowest member", () => {
    const ledger = new Ledger();
    ledger.joined("cy", 0);
    for (let pos = 1; pos <= 10_000; pos++) {
      ledger.witnessed(pos, "ana", `#${pos} text`);
      ledger.read("cy", pos);
      if (pos % 100 === 0) ledger.settle();
    }
    expect(ledger.remembered).toBe(0);
    expect(ledger.said).toBe(10_000);
  });
});

describe("Ledger: senders' numbers", () => {
  test("a number the witness never read is unsaid; one read out of order too", () => {
    const ledger = new Ledger();
    for (const [pos, n] of [
      [1, 1],
      [2, 2],
      [3, 4],
      [4, 3],
    ])
      ledger.witnessed(pos as number, "ana", `#${n} x`);
    expect(ledger.counts.unsaid).toBe(2);
  });

  test("after a cut, one jump up to the first number after it is forgiven", () => {
    const ledger = new Ledger();
    ledger.witnessed(1, "ana", "#1 x");
    ledger.senderCut("ana", 5);
    ledger.witnessed(2, "ana", "#2 x"); // said before the cut, read after
    ledger.witnessed(3, "ana", "#5 x"); // 3 and 4 died with the connection
    ledger.witnessed(4, "ana", "#7 x"); // but not again
    expect(ledger.counts.unsaid).toBe(1);
  });

  test("seqOf reads the number a soak line starts with", () => {
    expect(seqOf("#12 abc")).toBe(12);
    expect(seqOf("hello")).toBeNull();
  });

  test("minus subtracts field by field", () => {
    expect(minus({ ...noCounts(), lost: 3, missed: 5 }, { ...noCounts(), lost: 1 })).toEqual({
      ...noCounts(),
      lost: 2,
      missed: 5,
    });
  });
});

describe("growth", () => {
  const bound: Bound = { perMinute: 2, slack: 32, minSamples: 6, minMinutes: 3 };
  const series = (f: (minute: number) => number, minutes = 10, perMinute = 12) =>
    Array.from({ length: minutes * perMinute }, (_, i) => {
      const minute = (i + 1) / perMinute;
      return { minute, value: f(minute) };
    });

  test("slope is the least-squares fit", () => {
    expect(
      slope([
        { minute: 0, value: 1 },
        { minute: 1, value: 3 },
        { minute: 2, value: 5 },
      ]),
    ).toBeCloseTo(2);
    expect(slope([{ minute: 1, value: 3 }])).toBe(0);
  });

  test("a steady leak is unbounded", () => {
    const g = growth(
      series((m) => 60 + 5 * m),
      bound,
      "MiB",
    );
    expect(g.slope).toBeCloseTo(5);
    expect(g.unbounded).toContain("grows without bound");
  });

  test("a level that breathes is bounded", () => {
    const g = growth(
      series((m) => 60 + 10 * Math.sin(m * 3)),
      bound,
      "MiB",
    );
    expect(g.unbounded).toBeNull();
  });

  test("a step that stopped is bounded: the second half is flat", () => {
    const g = growth(
      series((m) => (m < 3 ? 60 : 120)),
      bound,
      "MiB",
    );
    expect(g.last - g.first).toBe(60);
    expect(g.unbounded).toBeNull();
  });

  test("a small climb within the slack is bounded", () => {
    const g = growth(
      series((m) => 60 + 2.5 * m),
      bound,
      "MiB",
    );
    expect(g.unbounded).toBeNull();
  });

  test("too short a soak is not judged", () => {
    const g = growth(
      series((m) => 60 + 100 * m, 2),
      bound,
      "MiB",
    );
    expect(g.slope).toBeNull();
    expect(g.unbounded).toBeNull();
    expect(growth([], bound, "MiB")).toEqual({ slope: null, first: 0, last: 0, unbounded: null });
  });
});

describe("minute rows", () => {
  const sample = (rssMiB: number, fds: number, loop: number | null): Sample => ({
    minute: 0.5,
    rssBytes: rssMiB * 1024 * 1024,
    fds,
    heapBytes: loop === null ? null : 8 * 1024 * 1024,
    loopP99Ms: loop,
  });

  test("levels are medians, the loop delay the highest", () => {
    const row = minuteRow(
      2,
      [sample(60, 50, 3), sample(64, 52, 9), sample(62, 70, 4)],
      { ...noCounts(), lost: 1 },
      40,
      1200,
    );
    expect(row.rssBytes).toBe(62 * 1024 * 1024);
    expect(row.fds).toBe(52);
    expect(row.loopP99Ms).toBe(9);
    expect(row.lost).toBe(1);
  });

  test("the table shows n/a without /metrics and counts unsaid lines as lost", () => {
    const row = minuteRow(1, [sample(60, 50, null)], { ...noCounts(), unsaid: 2 }, 40, 1200);
    expect(minuteTable([row])).toBe(
      [
        "| min | members | lines said |      RSS | heap | fds | loop p99 | lost | dup | past window |",
        "| --: | ------: | ---------: | -------: | ---: | --: | -------: | ---: | --: | ----------: |",
        "|   1 |      40 |      1,200 | 60.0 MiB |  n/a |  50 |      n/a |    2 |   0 |           0 |",
      ].join("\n"),
    );
    expect(minuteLine(row)).toBe(
      "minute 1: members 40, lines said 1,200, RSS 60.0 MiB, heap n/a, fds 50, loop p99 n/a, lost 2, dup 0, past window 0",
    );
  });
});

describe("metrics", () => {
  test("unlabelled samples are read, comments and labelled ones skipped", () => {
    const m = parseMetrics(
      [
        "# HELP nodejs_eventloop_lag_p99_seconds The 99th percentile.",
        "# TYPE nodejs_eventloop_lag_p99_seconds gauge",
        "nodejs_eventloop_lag_p99_seconds 0.012",
        'nodejs_heap_space_size_used_bytes{space="new"} 1024',
        "process_resident_memory_bytes 5e7 1700000000000",
      ].join("\n"),
    );
    expect(m.get(LOOP_P99)).toBe(0.012);
    expect(m.get("process_resident_memory_bytes")).toBe(5e7);
    expect(m.size).toBe(2);
  });
});

describe("soak plot", () => {
  test("scales start at zero and end on a round number", () => {
    expect(niceTop(0)).toBe(1);
    expect(niceTop(63)).toBe(100);
    expect(niceTop(130)).toBe(200);
    expect(niceTop(0.0042)).toBe(0.005);
  });

  test("one panel per measure; a measure never taken says so", () => {
    const svg = soakSvg({
      title: "papo soak",
      subtitle: "a <test>",
      series: [
        { title: "RSS", format: String, points: [{ minute: 1, value: 5 }] },
        { title: "heap", format: String, points: [{ minute: 1, value: null }] },
      ],
    });
    expect(svg).toStartWith("<svg");
    expect(svg).toContain("a &lt;test&gt;");
    expect(svg).toContain("minute 1: 5");
    expect(svg).toContain("not measured");
  });
});

describe("options", () => {
  test("10 minutes by default, 1 with --quick, the plot in docs/ from 60", () => {
    expect(parseSoakOptions([]).minutes).toBe(10);
    expect(parseSoakOptions(["--quick"]).minutes).toBe(1);
    expect(parseSoakOptions(["--quick"]).json).toBe("bench/results/soak-quick.json");
    expect(parseSoakOptions(["--minutes", "5"]).svg).toBe("bench/results/soak.svg");
    expect(parseSoakOptions(["--minutes", "60"]).svg).toBe("docs/soak.svg");
    expect(parseSoakOptions(["--minutes", "60", "--svg", "x.svg"]).svg).toBe("x.svg");
    expect(() => parseSoakOptions(["--minutes", "0"])).toThrow("--minutes");
  });

  test("the soak's randomness repeats", () => {
    const a = random(7);
    const b = random(7);
    const draws = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(draws);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
