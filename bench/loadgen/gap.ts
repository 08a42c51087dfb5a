/**
 * How long a load generator went without reading its sockets: the longest
 * stall of its event loop. A timer due every `periodMs` fires late by about
 * as long as the loop was held up (by sending, by parsing, or by the OS
 * giving its core to another process), and while the loop is held up no
 * socket is read. Reported beside each result, so that a reader's slowness
 * can be told from the generator's. Pure: the caller ticks it with the time.
 */
export class GapMeter {
  private last: number;
  /** The longest stall since the last reset, in ms. */
  maxMs = 0;

  constructor(
    readonly periodMs: number,
    now: number,
  ) {
    this.last = now;
  }

  /** The timer fired at `now` (ms); it was due `periodMs` after the previous tick. */
  tick(now: number): void {
    const late = now - this.last - this.periodMs;
    if (late > this.maxMs) this.maxMs = late;
    this.last = now;
  }

  /** Start over at `now` (a flood begins): what came before does not count. */
  reset(now: number): void {
    this.maxMs = 0;
    this.last = now;
  }
}
