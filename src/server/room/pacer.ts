/**
 * Sender pacing: the room moves at the pace of the readers who are reading.
 *
 * A reader is *behind* while its backlog is over the low-water mark, and
 * *near its cap* while it is over the high-water mark. A reader that is
 * behind is *reading* while it keeps taking bytes: each time its backlog
 * shrinks, its quiet spell ends. A quiet spell may last the reader's
 * *grace*; past it the reader is *stalled*.
 *
 * The room is *pressed* while more than half of the other members who are
 * not stalled are behind, or while any reader that is not stalled is near
 * its cap. After a turn that leaves the room pressed, the turn's senders are
 * paused (the server stops reading their sockets, so TCP pushes back on them
 * instead of the server queueing without end), and so is every member who
 * has something to say while it stays pressed; all are resumed once it is
 * not.
 *
 * So a reader whose process stops for a moment (a laptop lid, a garbage
 * collection, a busy machine) holds the room and loses nothing; a reader
 * that stays stopped past its grace stops holding anyone, and once its
 * backlog passes the cap it is evicted. A stalled reader that catches up
 * (back under the low-water mark) counts again.
 *
 * Grace is a budget, so that a reader that stops again and again cannot hold
 * the room again and again: every quiet spell longer than `freeStopMs` is
 * paid for out of it, and it earns `refill` ms back per ms. A spell gets at
 * least `freeStopMs` (a reader that is only slow pays nothing) and at most
 * `stallMs`.
 *
 * This is NATS's idea of stalling a producer briefly and Redis's soft limit
 * held for some seconds. Pure: the clock and the timer are passed in.
 */

/** Sender pacing and per-turn budgets, as fractions of --max-queue-bytes (see server/pacer.ts). */
export const PACING = {
  /** A reader with more than this share of the cap waiting is behind. */
  lowWaterFraction: 1 / 4,
  /** Past this share of its cap a reader who is not stalled makes the room wait for it. */
  highWaterFraction: 1 / 2,
  /** A turn gathers about this share of the cap before further input waits for the next turn. */
  turnFraction: 1 / 4,
  /**
   * A reader that is waited for is cut past this many times its cap at once:
   * the bound on what pacing does not hold back (notices, other servers' lines).
   */
  ceilingFactor: 4,
  /** The longest a reader may take nothing before the room stops waiting for it (ms). */
  stallMs: 2_000,
  /** A stop up to this long costs a reader none of its grace (ms). */
  freeStopMs: 100,
  /** Grace a reader earns back per ms: 2 s of grace spent comes back in 20 s. */
  graceRefill: 1 / 10,
} as const;

/** A reader as the pacer sees it: how many bytes it has yet to take. */
export interface Backlogged {
  readonly backlog: number;
}

export interface PacerHooks<M> {
  /** Stop taking input from `member`. */
  pause(member: M): void;
  /** Take input from `member` again. */
  resume(member: M): void;
  /** Stalled readers whose backlog passed the cap: cut them. */
  evict(members: readonly M[]): void;
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
  /** Over this, a reader that is not stalled is near its cap: the room waits for it. */
  high: number;
  /** Over this, a stalled reader is evicted. */
  cap: number;
}

/** How long readers may stop: see the file's header. */
export interface Grace {
  /** The longest quiet spell a reader is waited for (ms); also the most grace it holds. */
  stallMs: number;
  /** A quiet spell up to this long costs nothing (ms). */
  freeStopMs: number;
  /** Grace earned back per ms. */
  refill: number;
}

export const DEFAULT_GRACE: Readonly<Grace> = {
  stallMs: PACING.stallMs,
  freeStopMs: PACING.freeStopMs,
  refill: PACING.graceRefill,
};

/** A reader that is behind: when its current quiet spell began, and when it stalls. */
interface Quiet {
  since: number;
  deadline: number;
  /** Its backlog when last seen: progress is a smaller one. */
  backlog: number;
}

/** A reader's grace after it paid for a spell: `left` ms as of `at`. */
interface Budget {
  left: number;
  at: number;
}

export class Pacer<M extends Backlogged> {
  /** Behind and not stalled. */
  private readonly behind = new Map<M, Quiet>();
  /** Of `behind`, those over the high-water mark. */
  private readonly nearCap = new Set<M>();
  /** Quiet past their grace: these no longer set the pace. */
  private readonly stalled = new Set<M>();
  private readonly paused = new Set<M>();
  /** Readers with less than full grace (only those who paid for a spell). */
  private readonly budgets = new Map<M, Budget>();
  private cancelTimer: (() => void) | null = null;
  /** When the armed timer fires. */
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly marks: Watermarks,
    private readonly hooks: PacerHooks<M>,
    private readonly clock: Clock = realClock,
    private readonly grace: Grace = DEFAULT_GRACE,
  ) {}

  /** Members paused right now (for tests and the log). */
  get pausedCount(): number {
    return this.paused.size;
  }

  /** After a delivered turn: who was left with a backlog, and who sent. */
  turn(queued: readonly M[], senders: readonly M[]): void {
    let evicted: M[] | undefined;
    for (const member of queued) {
      const backlog = member.backlog;
      if (this.stalled.has(member)) {
        if (backlog > this.marks.cap) {
          evicted ??= [];
          evicted.push(member);
        }
        continue;
      }
      if (backlog <= this.marks.low) continue;
      const quiet = this.behind.get(member);
      // The turn added bytes: progress is a backlog below this one (it shrinks only in drained()).
      if (quiet === undefined) this.fellBehind(member, backlog);
      else quiet.backlog = backlog;
      if (backlog > this.marks.high) this.nearCap.add(member);
    }
    if (evicted !== undefined) this.hooks.evict(evicted);
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

  /** `member`'s socket drained: it took bytes, and may have caught up. */
  drained(member: M): void {
    const backlog = member.backlog;
    const quiet = this.behind.get(member);
    if (quiet !== undefined && backlog < quiet.backlog) this.progressed(member, quiet, backlog);
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
    this.budgets.delete(member);
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
    if (this.nearCap.size > 0) return true;
    const others = this.hooks.members() - this.stalled.size - 1;
    return this.behind.size > 0 && this.behind.size * 2 > others;
  }

  private fellBehind(member: M, backlog: number): void {
    const now = this.clock.now();
    const quiet = { since: now, deadline: now + this.graceOf(member, now), backlog };
    this.behind.set(member, quiet);
    this.armTimer(quiet.deadline);
  }

  /** A quiet spell ended: pay for it if it was long, and start the next one. */
  private progressed(member: M, quiet: Quiet, backlog: number): void {
    const now = this.clock.now();
    const spell = now - quiet.since;
    if (spell > this.grace.freeStopMs) {
      this.budgets.set(member, { left: Math.max(0, this.budgetOf(member, now) - spell), at: now });
    }
    quiet.since = now;
    quiet.deadline = now + this.graceOf(member, now);
    quiet.backlog = backlog;
  }

  /** Grace `member` has at `now`, earned back since it last paid. */
  private budgetOf(member: M, now: number): number {
    const budget = this.budgets.get(member);
    if (budget === undefined) return this.grace.stallMs;
    const left = budget.left + (now - budget.at) * this.grace.refill;
    if (left < this.grace.stallMs) return left;
    this.budgets.delete(member);
    return this.grace.stallMs;
  }

  /** How long the quiet spell starting `now` may last. */
  private graceOf(member: M, now: number): number {
    return Math.max(this.grace.freeStopMs, this.budgetOf(member, now));
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

  /** Wake up by `at` (a reader may stall then), unless already set to wake up sooner. */
  private armTimer(at: number): void {
    if (this.cancelTimer !== null && this.timerAt <= at) return;
    this.cancelTimer?.();
    this.timerAt = at;
    this.cancelTimer = this.clock.after(Math.max(0, at - this.clock.now()), () =>
      this.timerFired(),
    );
  }

  /**
   * Readers past their deadline stall; the rest may have moved theirs on by
   * reading, so the next wake-up is the earliest deadline left.
   */
  private timerFired(): void {
    this.cancelTimer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    const evicted: M[] = [];
    for (const [member, quiet] of this.behind) {
      if (quiet.deadline > now) {
        next = Math.min(next, quiet.deadline);
        continue;
      }
      this.behind.delete(member);
      this.nearCap.delete(member);
      this.stalled.add(member);
      this.budgets.set(member, { left: 0, at: now });
      if (member.backlog > this.marks.cap) evicted.push(member);
    }
    if (next !== Number.POSITIVE_INFINITY) this.armTimer(next);
    if (evicted.length > 0) this.hooks.evict(evicted);
    this.recheck();
  }
}
