/**
 * Sender pacing: the room moves at the pace of the readers who keep up.
 *
 * A reader is *behind* while its backlog is over the low-water mark, and
 * *near its cap* while it is over the high-water mark. A reader *keeps up*
 * unless it has been behind for longer than `stallMs` without a break.
 *
 * The room is *pressed* while more than half of the other members who keep up
 * are behind, or a member near its cap fell behind less than `hiccupMs` ago
 * (a busy process or a garbage collection: it may be reading again in a
 * moment, and at loopback rates a small cap fills in milliseconds). After a turn that
 * leaves the room pressed, the turn's senders are paused (the server stops
 * reading their sockets, so TCP pushes back on them instead of the server
 * queueing without end), and so is every member who has something to say
 * while it stays pressed; all are resumed once it is not.
 *
 * So a reader that falls behind for a moment holds the room before it
 * reaches its cap, for `hiccupMs` at most; a reader that stays behind stops
 * counting after `stallMs`, and its backlog then grows with the room until
 * the cap evicts it, unless it catches up first (then it counts again). One
 * slow reader never sets the pace for long, and one fast reader never
 * outruns the rest.
 *
 * This is NATS's idea of stalling a producer briefly and Redis's soft limit
 * held for some seconds. Pure: the clock and the timer are passed in.
 */

import { PACING } from "../config.ts";

/** A reader as the pacer sees it: how many bytes it has yet to take. */
export interface Backlogged {
  readonly backlog: number;
}

export interface PacerHooks<M> {
  /** Stop taking input from `member`. */
  pause(member: M): void;
  /** Take input from `member` again. */
  resume(member: M): void;
  /** Members in the room now. */
  members(): number;
}

export interface Clock {
  now(): number;
  /** Call `run` after `ms`; returns a cancel function. */
  after(ms: number, run: () => void): () => void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  after: (ms, run) => {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
};

/** Backlog marks, in bytes. */
export interface Watermarks {
  /** Over this, a reader is behind. */
  low: number;
  /** Over this, a reader who keeps up is near its cap: the room waits for it. */
  high: number;
}

export class Pacer<M extends Backlogged> {
  /** Behind and still keeping up, with the time each fell behind, oldest first. */
  private readonly behind = new Map<M, number>();
  /** Of `behind`, those over the high-water mark. */
  private readonly nearCap = new Set<M>();
  /** Behind for longer than stallMs: these no longer set the pace. */
  private readonly stalled = new Set<M>();
  private readonly paused = new Set<M>();
  private cancelTimer: (() => void) | null = null;
  /** When the armed timer fires. */
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly marks: Watermarks,
    private readonly hooks: PacerHooks<M>,
    private readonly clock: Clock = realClock,
    private readonly stallMs: number = PACING.stallMs,
    private readonly hiccupMs: number = PACING.hiccupMs,
  ) {}

  /** Members paused right now (for tests and the log). */
  get pausedCount(): number {
    return this.paused.size;
  }

  /** After a delivered turn: who was left with a backlog, and who sent. */
  turn(queued: readonly M[], senders: readonly M[]): void {
    for (const member of queued) {
      const backlog = member.backlog;
      if (backlog <= this.marks.low || this.stalled.has(member)) continue;
      if (!this.behind.has(member)) this.behind.set(member, this.clock.now());
      if (backlog > this.marks.high) this.nearCap.add(member);
    }
    this.armTimer();
    if (senders.length === 0 || !this.pressed()) return;
    for (const sender of senders) this.pause(sender);
  }

  /**
   * `member` is about to send: while the room is pressed, it waits with the
   * turn's senders (true: it was paused). Without this, members who did not
   * send in the pressing turn could each add a turn to readers already behind.
   */
  hold(member: M): boolean {
    if (this.paused.has(member)) return true;
    if (!this.pressed()) return false;
    this.pause(member);
    return true;
  }

  /** `member`'s backlog shrank (its socket drained). */
  drained(member: M): void {
    const backlog = member.backlog;
    if (backlog > this.marks.high) return;
    let changed = this.nearCap.delete(member);
    if (backlog <= this.marks.low) {
      changed = this.behind.delete(member) || changed;
      changed = this.stalled.delete(member) || changed;
    }
    if (changed) this.recheck();
  }

  /** `member` left the room: it neither paces nor is paced any more. */
  forget(member: M): void {
    this.paused.delete(member);
    this.nearCap.delete(member);
    const counted = this.behind.delete(member);
    if (this.stalled.delete(member) || counted) this.recheck();
  }

  /** Stop the timer (the server is stopping). */
  close(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private pressed(): boolean {
    const keepingUp = this.hooks.members() - this.stalled.size - 1;
    if (this.behind.size > 0 && this.behind.size * 2 > keepingUp) return true;
    const recent = this.clock.now() - this.hiccupMs;
    for (const member of this.nearCap) if ((this.behind.get(member) ?? 0) > recent) return true;
    return false;
  }

  private pause(member: M): void {
    if (this.paused.has(member)) return;
    this.paused.add(member);
    this.hooks.pause(member);
  }

  private recheck(): void {
    if (this.paused.size === 0 || this.pressed()) return;
    const resumed = [...this.paused];
    this.paused.clear();
    for (const member of resumed) this.hooks.resume(member);
  }

  /**
   * Wake up when something may change by itself: the oldest behind member
   * stalls, or a member near its cap has been behind for hiccupMs.
   */
  private armTimer(): void {
    const oldest = this.behind.values().next();
    if (oldest.done) return;
    let at = oldest.value + this.stallMs;
    const now = this.clock.now();
    for (const member of this.nearCap) {
      const until = (this.behind.get(member) ?? 0) + this.hiccupMs;
      if (until > now && until < at) at = until;
    }
    // Already set to wake up in time: nothing to do (the common case, once per turn).
    if (this.cancelTimer !== null && this.timerAt <= at) return;
    this.cancelTimer?.();
    this.timerAt = at;
    this.cancelTimer = this.clock.after(Math.max(0, at - now), () => this.timerFired());
  }

  private timerFired(): void {
    this.cancelTimer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    const limit = this.clock.now() - this.stallMs;
    for (const [member, since] of this.behind) {
      if (since > limit) break;
      this.behind.delete(member);
      this.nearCap.delete(member);
      this.stalled.add(member);
    }
    this.armTimer();
    this.recheck();
  }
}
