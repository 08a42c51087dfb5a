/**
 * The comparison chart as a self-contained SVG string (no browser, no
 * library): one panel per measure, one group of bars per scenario, one bar per
 * server. Log scales, because papo and the baselines differ by orders of
 * magnitude; every bar carries its value so the scale cannot mislead, and a
 * line across it spans the range of its runs when it is a median. Pure.
 */

/** One bar: its value and, for the median of several runs, their lowest and highest. */
export interface Bar {
  value: number;
  low?: number;
  high?: number;
}

/** One panel: a measure, and its bar per scenario per server (absent = not run). */
export interface Panel {
  title: string;
  /** Formats a value for the label over its bar. */
  format: (value: number) => string;
  /** scenario → server → bar */
  values: Map<string, Map<string, Bar>>;
}

export interface ChartSpec {
  title: string;
  subtitle: string;
  /** Servers in legend order; each gets the colour at the same index. */
  servers: string[];
  panels: Panel[];
}

const COLOURS = ["#2b6cb0", "#dd6b20", "#718096", "#38a169", "#805ad5"];
const PANEL_WIDTH = 330;
const PANEL_HEIGHT = 220;
/** Room between panels for the next panel's axis labels. */
const GAP = 80;
const TOP = 86;
const LEFT = 64;
const BOTTOM = 40;

/** Escape text for SVG content and attributes. */
export function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/**
 * The opening of one of the bench's SVG pictures (the chart, the soak's
 * plot): size, title for screen readers, white ground, title and subtitle
 * at `x`. The caller adds its panels and the closing tag.
 */
export function svgHead(
  width: number,
  height: number,
  x: number,
  spec: { readonly title: string; readonly subtitle: string },
): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="11">`,
    `<title>${escapeXml(`${spec.title}: ${spec.subtitle}`)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${x}" y="22" font-size="16" font-weight="600" fill="#1a202c">${escapeXml(spec.title)}</text>`,
    `<text x="${x}" y="40" fill="#4a5568">${escapeXml(spec.subtitle)}</text>`,
  ];
}

/** Render the chart. */
export function chartSvg(spec: ChartSpec): string {
  const width = LEFT + spec.panels.length * (PANEL_WIDTH + GAP) - GAP + 20;
  const height = TOP + PANEL_HEIGHT + BOTTOM;
  const parts = svgHead(width, height, LEFT - 44, spec);
  spec.servers.forEach((server, i) => {
    const x = LEFT - 44 + i * 120;
    parts.push(
      `<rect x="${x}" y="52" width="12" height="12" fill="${colour(i)}"/>`,
      `<text x="${x + 17}" y="62" fill="#1a202c">${escapeXml(server)}</text>`,
    );
  });
  spec.panels.forEach((panel, i) => {
    parts.push(panelSvg(panel, spec.servers, LEFT + i * (PANEL_WIDTH + GAP), TOP));
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function colour(i: number): string {
  return COLOURS[i % COLOURS.length] as string;
}

/** Powers of ten that enclose every positive value: [low, high] exponents. */
export function logRange(values: number[]): [number, number] {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return [0, 1];
  const low = Math.floor(Math.log10(Math.min(...positive)));
  const high = Math.ceil(Math.log10(Math.max(...positive)));
  return [low, Math.max(high, low + 1)];
}

function panelSvg(panel: Panel, servers: string[], x0: number, y0: number): string {
  const scenarios = [...panel.values.keys()];
  const bars = scenarios.flatMap((s) => [...(panel.values.get(s)?.values() ?? [])]);
  const [low, high] = logRange(bars.flatMap((b) => [b.value, b.low ?? b.value, b.high ?? b.value]));
  const plotBottom = y0 + PANEL_HEIGHT;
  const plotTop = y0 + 18;
  const y = (v: number) =>
    plotBottom - ((Math.log10(v) - low) / (high - low)) * (plotBottom - plotTop);
  const out: string[] = [
    `<g>`,
    `<text x="${x0}" y="${y0}" font-size="13" font-weight="600" fill="#1a202c">${escapeXml(panel.title)}</text>`,
  ];
  for (let e = low; e <= high; e++) {
    const ty = y(10 ** e).toFixed(1);
    out.push(
      `<line x1="${x0}" x2="${x0 + PANEL_WIDTH}" y1="${ty}" y2="${ty}" stroke="#e2e8f0"/>`,
      `<text x="${x0 - 4}" y="${ty}" dy="3" text-anchor="end" fill="#718096">${escapeXml(panel.format(10 ** e))}</text>`,
    );
  }
  const groupWidth = PANEL_WIDTH / Math.max(1, scenarios.length);
  const barWidth = Math.min(40, (groupWidth - 16) / Math.max(1, servers.length));
  scenarios.forEach((scenario, g) => {
    const row = panel.values.get(scenario) ?? new Map<string, Bar>();
    const shown = servers.filter((s) => row.has(s));
    const gx = x0 + g * groupWidth + (groupWidth - shown.length * barWidth) / 2;
    shown.forEach((server, b) => {
      const { value, low: min, high: max } = row.get(server) as Bar;
      const bx = gx + b * barWidth;
      const cx = (bx + barWidth / 2).toFixed(1);
      const fill = colour(servers.indexOf(server));
      if (!(value > 0)) {
        out.push(
          `<text x="${cx}" y="${plotBottom - 4}" text-anchor="middle" fill="#a0aec0">n/a</text>`,
        );
        return;
      }
      const top = y(value);
      const ranged = min !== undefined && max !== undefined && min > 0;
      const runs = ranged ? ` (runs ${panel.format(min)}–${panel.format(max)})` : "";
      out.push(
        `<rect x="${(bx + 2).toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth - 4).toFixed(1)}" height="${(plotBottom - top).toFixed(1)}" fill="${fill}"><title>${escapeXml(`${scenario} · ${server}: ${panel.format(value)}${runs}`)}</title></rect>`,
      );
      let labelY = top;
      if (ranged) {
        const [y1, y2] = [y(max).toFixed(1), y(min).toFixed(1)];
        const [l, r] = [(bx + barWidth / 2 - 4).toFixed(1), (bx + barWidth / 2 + 4).toFixed(1)];
        out.push(
          `<path d="M${cx} ${y1}V${y2}M${l} ${y1}H${r}M${l} ${y2}H${r}" stroke="#1a202c" fill="none"/>`,
        );
        labelY = Math.min(top, y(max));
      }
      out.push(
        `<text x="${cx}" y="${(labelY - 3).toFixed(1)}" text-anchor="middle" font-size="8" fill="#2d3748">${escapeXml(panel.format(value))}</text>`,
      );
    });
    out.push(
      `<text x="${(x0 + g * groupWidth + groupWidth / 2).toFixed(1)}" y="${plotBottom + 16}" text-anchor="middle" fill="#1a202c">${escapeXml(scenario)}</text>`,
    );
  });
  out.push(
    `<line x1="${x0}" x2="${x0 + PANEL_WIDTH}" y1="${plotBottom}" y2="${plotBottom}" stroke="#a0aec0"/>`,
    `</g>`,
  );
  return out.join("\n");
}
