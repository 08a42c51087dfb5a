/**
 * Who may come in, by address: how many connections each address has open,
 * which addresses an operator banned, and how long the next password from an
 * address must wait after wrong ones (twice as long after each, up to a
 * ceiling). Pure but for the clock, which the caller passes.
 */

import { createHash, timingSafeEqual } from "node:crypto";
import { nameKey } from "../../protocol/names.ts";

/** Failed passwords from one address: each answer waits twice as long as the last, up to the max. */
export const PASSWORD_PENALTY = {
  firstMs: 250,
  maxMs: 8_000,
  /** Addresses remembered at once; the oldest is forgotten past this. */
  addresses: 4096,
  /** A quiet address is forgiven after this long (ms). */
  forgetMs: 10 * 60_000,
} as const;

export type Refusal = "banned" | "crowded";

interface Failures {
  count: number;
  /** No password from this address is checked before this time (ms). */
  until: number;
  last: number;
}

export class Gate {
  private readonly open = new Map<string, number>();
  /** Banned address, and the name it was banned under (so /unban NAME works). */
  private readonly bans = new Map<string, string>();
  /** Insertion order is age order: the oldest is forgotten first. */
  private readonly failures = new Map<string, Failures>();

  /** @param maxPerAddress connections one address may have open; 0 for no cap. */
  constructor(private readonly maxPerAddress: number) {}

  /** Let a new connection from `address` in (counted until leave()), or say why not. */
  enter(address: string): Refusal | null {
    if (this.bans.has(address)) return "banned";
    const open = this.open.get(address) ?? 0;
    if (this.maxPerAddress > 0 && open >= this.maxPerAddress) return "crowded";
    this.open.set(address, open + 1);
    return null;
  }

  /** A connection that enter() let in has closed. */
  leave(address: string): void {
    const open = (this.open.get(address) ?? 1) - 1;
    if (open <= 0) this.open.delete(address);
    else this.open.set(address, open);
  }

  ban(address: string, name: string): void {
    this.bans.set(address, name);
  }

  /** Every ban, as [address, name banned as]. */
  banned(): Array<[string, string]> {
    return [...this.bans];
  }

  /** Lift a ban given by address or by the name banned; returns the address, or null. */
  unban(what: string): string | null {
    if (this.bans.delete(what)) return what;
    const key = nameKey(what);
    for (const [address, name] of this.bans) {
      if (nameKey(name) !== key) continue;
      this.bans.delete(address);
      return address;
    }
    return null;
  }

  /**
   * Milliseconds before a password from `address` may be checked, taking a
   * turn: checks waiting in parallel (many connections from one address) are
   * spaced by the current penalty, not all let through when it ends.
   */
  wait(address: string, now: number): number {
    const f = this.current(address, now);
    if (f === undefined) return 0;
    const at = Math.max(f.until, now);
    f.until = at + penalty(f.count);
    return at - now;
  }

  /** A wrong password from `address`: the next one waits longer. */
  failed(address: string, now: number): void {
    const before = this.current(address, now);
    const count = (before?.count ?? 0) + 1;
    const until = Math.max(before?.until ?? 0, now + penalty(count));
    this.failures.delete(address);
    this.failures.set(address, { count, until, last: now });
    if (this.failures.size > PASSWORD_PENALTY.addresses) {
      const oldest = this.failures.keys().next();
      if (!oldest.done) this.failures.delete(oldest.value);
    }
  }

  /** A right password from `address`: its slate is clean. */
  passed(address: string): void {
    this.failures.delete(address);
  }

  private current(address: string, now: number): Failures | undefined {
    const f = this.failures.get(address);
    if (f !== undefined && now - f.last > PASSWORD_PENALTY.forgetMs) {
      this.failures.delete(address);
      return undefined;
    }
    return f;
  }
}

/** How long the check after `count` wrong passwords waits. */
function penalty(count: number): number {
  return Math.min(PASSWORD_PENALTY.maxMs, PASSWORD_PENALTY.firstMs * 2 ** (count - 1));
}

/** Compare a typed password with the secret in constant time, whatever their lengths. */
export function samePassword(typed: string, secret: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(typed), digest(secret));
}
