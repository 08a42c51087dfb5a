/**
 * Who may speak in the room, as its operators decide (/mute, /slow,
 * /quiet): the muted names with when each mute ends, slow mode's seconds
 * and the quiet flag, owned by the room and kept with its record. Pure
 * state over the room's clock: a mute with minutes ends when it is next
 * looked at after its time (no timer to leak or to keep the process alive).
 * Operators are never limited; the session asks {@link Moderation.check}
 * before a member's line goes to the room.
 */

import { nameKey } from "../../protocol/names.ts";

export const MODERATION = {
  /** The longest mute an operator may give, in minutes (a week). */
  maxMuteMinutes: 7 * 24 * 60,
  /** The longest pause slow mode may ask between a member's lines, in seconds (an hour). */
  maxSlowSeconds: 60 * 60,
  /** Every this many members remembered by slow mode, those whose wait is over are forgotten. */
  slowSweep: 256,
} as const;

/** Why a member's line is not said, and for how long. */
export type Refusal =
  /** Muted: `leftMs` until the mute ends, null when it has no end. */
  | { kind: "muted"; leftMs: number | null }
  /** Slow mode: its next line may come in `waitMs`. */
  | { kind: "slow"; waitMs: number }
  /** Quiet: only operators speak. */
  | { kind: "quiet" };

/** What the room's record keeps of it (and reads back after a restart). */
export interface ModerationState {
  /** Muted names as [name, until] (ms since the epoch; null: until unmuted). */
  readonly muted: ReadonlyArray<readonly [string, number | null]>;
  readonly slowSeconds: number;
  readonly quiet: boolean;
}

interface Mute {
  /** The name as the operator wrote it (its key finds it). */
  readonly name: string;
  readonly until: number | null;
}

export class Moderation {
  /** Muted names, by name key: a new spelling of the name is the same name. */
  private readonly muted = new Map<string, Mute>();
  /** When each member (by name key) last spoke, while slow mode is on. */
  private readonly spoke = new Map<string, number>();
  private slowMs = 0;
  /** Only operators speak. */
  quiet = false;

  constructor(private readonly clock: () => number = Date.now) {}

  /** Slow mode's pause between a member's lines, in seconds; 0 when it is off. */
  get slowSeconds(): number {
    return this.slowMs / 1000;
  }

  /** Mute `name` for `minutes` (undefined: until unmuted). */
  mute(name: string, minutes?: number): void {
    const until = minutes === undefined ? null : this.clock() + minutes * 60_000;
    this.muted.set(nameKey(name), { name, until });
  }

  /** Lift `name`'s mute; false when it had none (or it had ended). */
  unmute(name: string): boolean {
    const live = this.muteOf(nameKey(name)) !== undefined;
    this.muted.delete(nameKey(name));
    return live;
  }

  /** Whether `name` is muted now. */
  isMuted(name: string): boolean {
    return this.muteOf(nameKey(name)) !== undefined;
  }

  /** Each member may say one line per `seconds`; 0 ends slow mode. */
  slow(seconds: number): void {
    this.slowMs = seconds * 1000;
    this.spoke.clear();
  }

  /**
   * Whether `name` may say a line now: null when it may (an operator always
   * may), else why not. Call {@link said} once the line is said.
   */
  check(name: string, operator: boolean): Refusal | null {
    if (operator) return null;
    const key = nameKey(name);
    const mute = this.muteOf(key);
    if (mute !== undefined) {
      return { kind: "muted", leftMs: mute.until === null ? null : mute.until - this.clock() };
    }
    if (this.quiet) return { kind: "quiet" };
    if (this.slowMs === 0) return null;
    const last = this.spoke.get(key);
    if (last === undefined) return null;
    const waitMs = last + this.slowMs - this.clock();
    if (waitMs > 0) return { kind: "slow", waitMs };
    this.spoke.delete(key);
    return null;
  }

  /** `name` said a line: under slow mode its next one waits. */
  said(name: string, operator: boolean): void {
    if (operator || this.slowMs === 0) return;
    const now = this.clock();
    // Forget who spoke longer ago than the pause: the map holds only who must still wait.
    if (this.spoke.size > 0 && this.spoke.size % MODERATION.slowSweep === 0) {
      for (const [key, at] of this.spoke) if (at + this.slowMs <= now) this.spoke.delete(key);
    }
    this.spoke.set(nameKey(name), now);
  }

  /** A member renamed itself: its mute and slow mode's wait follow it. True when a mute moved. */
  renamed(from: string, to: string): boolean {
    const was = nameKey(from);
    const now = nameKey(to);
    if (was === now) return false;
    const last = this.spoke.get(was);
    if (last !== undefined) {
      this.spoke.delete(was);
      this.spoke.set(now, last);
    }
    const mute = this.muteOf(was);
    if (mute === undefined) return false;
    this.muted.delete(was);
    this.muted.set(now, { name: to, until: mute.until });
    return true;
  }

  /** What the record keeps: mutes that have not ended, slow mode and quiet. */
  saved(): ModerationState {
    const muted: Array<[string, number | null]> = [];
    for (const [key, mute] of this.muted) {
      if (this.muteOf(key) !== undefined) muted.push([mute.name, mute.until]);
    }
    return { muted, slowSeconds: this.slowSeconds, quiet: this.quiet };
  }

  /** The state the record kept before a restart. */
  restore(state: ModerationState): void {
    for (const [name, until] of state.muted) this.muted.set(nameKey(name), { name, until });
    this.slow(state.slowSeconds);
    this.quiet = state.quiet;
  }

  /** The mute of `key` if it holds now; one that ended is forgotten. */
  private muteOf(key: string): Mute | undefined {
    const mute = this.muted.get(key);
    if (mute === undefined || mute.until === null || mute.until > this.clock()) return mute;
    this.muted.delete(key);
    return undefined;
  }
}

/** A moderation state read from the record, or none when it is not one (a newer or damaged record). */
export function readModeration(value: unknown): ModerationState | null {
  if (typeof value !== "object" || value === null) return null;
  const { muted, slowSeconds, quiet } = value as Record<string, unknown>;
  if (!Array.isArray(muted) || typeof slowSeconds !== "number" || typeof quiet !== "boolean") {
    return null;
  }
  const mutes = muted.filter(
    (m): m is [string, number | null] =>
      Array.isArray(m) && typeof m[0] === "string" && (m[1] === null || typeof m[1] === "number"),
  );
  const slow = Math.min(Math.max(slowSeconds, 0), MODERATION.maxSlowSeconds);
  return { muted: mutes, slowSeconds: Number.isFinite(slow) ? slow : 0, quiet };
}
