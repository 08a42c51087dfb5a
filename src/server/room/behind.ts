/**
 * The members behind: those whose socket did not take everything they are
 * owed. Only they are watched for the read timeout, so a room of members
 * who keep up runs no timer at all: a sweep starts when the first one falls
 * behind and stops when none is left. A member behind whose socket took no
 * byte for the timeout is handed back to be closed; its `lastTaken` is kept
 * by whoever writes to it (line-writer.ts).
 */

import type { Reader } from "./reader.ts";

/** What the members behind need from the fan-out. */
export interface BehindHooks<M> {
  /** Whether anything is still owed to `member`. */
  owes(member: M): boolean;
  /** Members behind who took no byte for the timeout: close them. */
  stalled(members: readonly M[]): void;
}

export class Behind<M extends Reader> {
  private readonly members = new Set<M>();
  private sweeping: (() => void) | null = null;

  /**
   * @param timeoutMs a member behind that takes nothing for this long is stalled; 0 never.
   * @param sweepMs how often the members behind are checked.
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly sweepMs: number,
    private readonly hooks: BehindHooks<M>,
    private readonly now: () => number,
    private readonly every: (ms: number, run: () => void) => () => void,
  ) {}

  /** How many members are behind now. */
  get count(): number {
    return this.members.size;
  }

  /** `member`'s socket did not take everything: it is behind, from now if it was not already. */
  fell(member: M): void {
    if (member.behind) return;
    member.behind = true;
    member.lastTaken = this.now();
    this.members.add(member);
    if (this.sweeping === null && this.timeoutMs > 0) {
      this.sweeping = this.every(this.sweepMs, () => this.sweep());
    }
  }

  /** `member` has everything it is owed (or is gone): it is no longer behind. */
  settled(member: M): void {
    if (!member.behind) return;
    member.behind = false;
    this.members.delete(member);
  }

  /** No more sweeps (the server is stopping, or nobody is behind). */
  close(): void {
    this.sweeping?.();
    this.sweeping = null;
  }

  /** Members behind that took nothing for the read timeout are handed over to be closed. */
  private sweep(): void {
    const now = this.now();
    const stalled: M[] = [];
    for (const member of this.members) {
      if (member.away || !this.hooks.owes(member)) this.settled(member);
      else if (now - member.lastTaken > this.timeoutMs) stalled.push(member);
    }
    if (this.members.size === 0) this.close();
    for (const member of stalled) this.settled(member);
    if (stalled.length > 0) this.hooks.stalled(stalled);
  }
}
