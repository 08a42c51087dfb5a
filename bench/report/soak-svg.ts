/**
 * The soak's plot as a self-contained SVG string, in the comparison chart's
 * style (svg.ts): one panel per measure of the server (RSS, heap, descriptors,
 * event-loop delay p99), each a line over the minutes of the soak, on a
 * linear scale from zero so that growth looks like what it is. Pure.
 */

import { escapeXml, svgHead } from "./svg.ts";

/** One panel: a measure's value per minute (null: not measured that minute). */
export interface Series {
  title: string;
  format: (value: number) => string;
  points: Array<{ minute: number; value: number | null }>;
}

export interface SoakChartSpec {
  title: string;
  subtitle: string;
  series: Series[];
}

const COLOUR = "#2b6cb0";
const PANEL_WIDTH = 330;
const PANEL_HEIGHT = 200;
const GAP = 80;
const TOP = 70;
const LEFT = 64;
const BOTTOM = 40;
/** Horizontal grid lines per panel, zero included. */
const TICKS = 4;

/** A round number at or above `max` (1, 2 or 5 times a power of ten), the top of a scale from 0. */
export function niceTop(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** Render the plot. */
export function soakSvg(spec: SoakChartSpec): string {
  const width = LEFT + spec.series.length * (PANEL_WIDTH + GAP) - GAP + 20;
  const height = TOP + PANEL_HEIGHT + BOTTOM;
  const parts = svgHead(width, height, LEFT - 44, spec);
  spec.series.forEach((s, i) => {
    parts.push(panelSvg(s, LEFT + i * (PANEL_WIDTH + GAP), TOP));
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function panelSvg(series: Series, x0: number, y0: number): string {
  const known = series.points.filter(
    (p): p is { minute: number; value: number } => p.value !== null,
  );
  const lastMinute = Math.max(1, ...series.points.map((p) => p.minute));
  const top = niceTop(Math.max(0, ...known.map((p) => p.value)));
  const plotBottom = y0 + PANEL_HEIGHT;
  const plotTop = y0 + 18;
  const x = (minute: number) => x0 + (minute / lastMinute) * PANEL_WIDTH;
  const y = (v: number) => plotBottom - (v / top) * (plotBottom - plotTop);
  const out: string[] = [
    "<g>",
    `<text x="${x0}" y="${y0}" font-size="13" font-weight="600" fill="#1a202c">${escapeXml(series.title)}</text>`,
  ];
  for (let t = 0; t <= TICKS; t++) {
    const v = (top * t) / TICKS;
    const ty = y(v).toFixed(1);
    out.push(
      `<line x1="${x0}" x2="${x0 + PANEL_WIDTH}" y1="${ty}" y2="${ty}" stroke="#e2e8f0"/>`,
      `<text x="${x0 - 4}" y="${ty}" dy="3" text-anchor="end" fill="#718096">${escapeXml(series.format(v))}</text>`,
    );
  }
  if (known.length === 0) {
    out.push(
      `<text x="${x0 + PANEL_WIDTH / 2}" y="${(plotTop + plotBottom) / 2}" text-anchor="middle" fill="#a0aec0">not measured</text>`,
    );
  } else {
    const path = known
      .map((p, i) => `${i === 0 ? "M" : "L"}${x(p.minute).toFixed(1)} ${y(p.value).toFixed(1)}`)
      .join("");
    out.push(`<path d="${path}" stroke="${COLOUR}" stroke-width="2" fill="none"/>`);
    for (const p of known) {
      out.push(
        `<circle cx="${x(p.minute).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="2.5" fill="${COLOUR}"><title>${escapeXml(`minute ${p.minute}: ${series.format(p.value)}`)}</title></circle>`,
      );
    }
  }
  const step = Math.max(1, Math.ceil(lastMinute / 6));
  for (let m = 0; m <= lastMinute; m += step) {
    out.push(
      `<text x="${x(m).toFixed(1)}" y="${plotBottom + 14}" text-anchor="middle" fill="#718096">${m}</text>`,
    );
  }
  out.push(
    `<text x="${x0 + PANEL_WIDTH / 2}" y="${plotBottom + 30}" text-anchor="middle" fill="#1a202c">minutes</text>`,
    `<line x1="${x0}" x2="${x0 + PANEL_WIDTH}" y1="${plotBottom}" y2="${plotBottom}" stroke="#a0aec0"/>`,
    "</g>",
  );
  return out.join("\n");
}
