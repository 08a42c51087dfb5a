/**
 * The one-line progress display while a scenario runs (scenario, clients
 * connected, percent of expected deliveries). Drawn on stderr and only on a
 * terminal: in CI and in pipes the bench prints just its results.
 */

/** Redraws at most this often (ms). */
const REDRAW_MS = 100;

export class Progress {
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly enabled: boolean = process.stderr.isTTY === true) {}

  /** Replace the progress line (throttled). */
  show(text: string): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const width = process.stderr.columns ?? 100;
    process.stderr.write(`\r\x1b[K${text.slice(0, width - 1)}`);
    this.drawn = true;
  }

  /** Remove the progress line, before printing something that stays. */
  clear(): void {
    if (!this.drawn) return;
    process.stderr.write("\r\x1b[K");
    this.drawn = false;
    this.lastDraw = 0;
  }

  /** Print a line that stays (on stdout), keeping the progress line out of its way. */
  say(text: string): void {
    this.clear();
    process.stdout.write(`${text}\n`);
  }
}
