/**
 * Markdown tables padded to line up in a terminal, so the summary reads well
 * on stdout and pastes into the README unchanged. Pure.
 */

export type Align = "left" | "right";

/** A Markdown table; columns are padded to their widest cell. */
export function markdownTable(header: string[], rows: string[][], align: Align[] = []): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const cell = (text: string, c: number) =>
    align[c] === "right" ? text.padStart(widths[c] as number) : text.padEnd(widths[c] as number);
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const rule = widths.map((w, c) =>
    align[c] === "right" ? `${"-".repeat(w - 1)}:` : "-".repeat(w),
  );
  return [
    line(header),
    `| ${rule.join(" | ")} |`,
    ...rows.map((r) => line(header.map((_, c) => r[c] ?? ""))),
  ].join("\n");
}
