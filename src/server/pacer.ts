/**
 * Sender pacing: the room moves at the pace of the readers who keep up.
 *
 * A reader is *behind* while its backlog is over the low-water mark. After a
 * turn, if more than half of the members who keep up are behind, the turn's
 * senders are paused (the server stops reading their sockets, so TCP pushes
 * back on them instead of the server queueing without end) until that is no
 * longer so. A reader that stays behind longer than `stallMs` no longer keeps
 * up: it stops counting, so a stalled reader holds the room for at most
 * `stallMs`; its backlog then grows with the room until the cap evicts it,
 * unless it catches up first (then it counts again).
 *
 * This is NATS's idea of stalling a producer briefly, and Redis's soft limit
 * held for some seconds, with "keeping up" decided by the majority, so one
 * slow reader never sets the pace of a room and one fast reader never
 * outruns the rest. Pure: the clock and the timer are passed in.
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

export class Pacer<M extends Backlogged> {
  /** Behind and still keeping up, with the time each fell behind, oldest first. */
  private readonly behind = new Map<M, number>();
  /** Behind for longer than stallMs: these no longer set the pace. */
  private readonly stalled = new Set<M>();
  private readonly paused = new Set<M>();
  private cancelStallTimer: (() => void) | null = null;

  constructor(
    private readonly lowWater: number,
    private readonly hooks: PacerHooks<M>,
    private readonly clock: Clock = realClock,
    private readonly stallMs: number = PACING.stallMs,
  ) {}

  /** Members paused right now (for tests and the log). */
  get pausedCount(): number {
    return this.paused.size;
  }

  /** After a delivered turn: who was left with a backlog, and who sent. */
  turn(queued: readonly M[], senders: readonly M[]): void {
    for (const member of queued) {
      if (member.backlog <= this.lowWater || this.behind.has(member)) continue;
      if (this.stalled.has(member)) continue;
      this.behind.set(member, this.clock.now());
      this.armStallTimer();
    }
    if (senders.length === 0 || !this.pressed()) return;
    for (const sender of senders) {
      if (this.paused.has(sender)) continue;
      this.paused.add(sender);
      this.hooks.pause(sender);
    }
  }

  /** `member`'s backlog shrank (its socket drained). */
  drained(member: M): void {
    if (member.backlog > this.lowWater) return;
    if (this.behind.delete(member) || this.stalled.delete(member)) this.recheck();
  }

  /** `member` left the room: it neither paces nor is paced any more. */
  forget(member: M): void {
    this.paused.delete(member);
    if (this.behind.delete(member) || this.stalled.delete(member)) this.recheck();
  }

  /** Stop the timer (the server is stopping). */
  close(): void {
    this.cancelStallTimer?.();
    this.cancelStallTimer = null;
  }

  /** More than half of the other members who keep up are behind. */
  private pressed(): boolean {
    const keepingUp = this.hooks.members() - this.stalled.size - 1;
    return this.behind.size > 0 && this.behind.size * 2 > keepingUp;
  }

  private recheck(): void {
    if (this.paused.size === 0 || this.pressed()) return;
    const resumed = [...this.paused];
    this.paused.clear();
    for (const member of resumed) this.hooks.resume(member);
  }

  private armStallTimer(): void {
    if (this.cancelStallTimer !== null) return;
    const oldest = this.behind.values().next();
    if (oldest.done) return;
    const wait = Math.max(0, oldest.value + this.stallMs - this.clock.now());
    this.cancelStallTimer = this.clock.after(wait, () => this.stallTimerFired());
  }

  private stallTimerFired(): void {
    this.cancelStallTimer = null;
    const limit = this.clock.now() - this.stallMs;
    for (const [member, since] of this.behind) {
      if (since > limit) break;
      this.behind.delete(member);
      this.stalled.add(member);
    }
    this.armStallTimer();
    this.recheck();
  }
}
