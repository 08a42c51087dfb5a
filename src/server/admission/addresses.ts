/**
 * Who may come in, by address: how many connections each address has at the
 * door (not yet in the room), which addresses an operator banned, and how
 * long a wrong password's answer is held (twice as long after each wrong one
 * from the address, up to a ceiling). A right password is never held: a class
 * behind one address is not locked out by one student's wrong guesses. More
 * connections do not mean more guesses: an address has at most a few wrong
 * answers held at once, and a further password from it waits for one to end
 * before it is checked. An IPv6 address counts as its /64 (addressKey).
 * Pure but for the clock, which the caller passes.
 */

import { createHash, timingSafeEqual } from "node:crypto";
import { nameKey } from "../../protocol/names.ts";

/** Failed passwords from one address: each answer waits twice as long as the last, up to the max. */
export const PASSWORD_PENALTY = {
  firstMs: 250,
  maxMs: 8_000,
  /** Wrong answers held at once for one address; a further password waits for one to end. */
  heldPerAddress: 4,
  /** Addresses remembered at once; the oldest is forgotten past this. */
  addresses: 4096,
  /** A quiet address is forgiven after this long (ms). */
  forgetMs: 10 * 60_000,
} as const;

export type Refusal = "banned" | "crowded";

interface Failures {
  count: number;
  /** When each wrong answer now held ends (ms), oldest first. */
  held: number[];
  last: number;
}

export class Gate {
  private readonly open = new Map<string, number>();
  /** Banned address, and the name it was banned under (so /unban NAME works). */
  private readonly bans = new Map<string, string>();
  /** Insertion order is age order: the oldest is forgotten first. */
  private readonly failures = new Map<string, Failures>();

  /** @param maxPerAddress connections one address may have at the door; 0 for no cap. */
  constructor(private readonly maxPerAddress: number) {}

  /**
   * Whether a new connection's address decides anything: there is a cap to
   * count it against, or a ban. If not, the door need not even read it.
   */
  get screens(): boolean {
    return this.maxPerAddress > 0 || this.bans.size > 0;
  }

  /** Whether connections at the door are counted by address (there is a cap). */
  get counts(): boolean {
    return this.maxPerAddress > 0;
  }

  /**
   * A connection let in is no longer at the door (in the room, or gone): one
   * less from its address there. Its address is read only when it is counted
   * (reading it is a system call).
   */
  leftDoor(client: { readonly host: string }): void {
    if (this.counts) this.leave(client.host);
  }

  /** Let a new connection from `address` in (counted until leave(), under a cap), or say why not. */
  enter(host: string): Refusal | null {
    const address = addressKey(host);
    if (this.bans.has(address)) return "banned";
    if (this.maxPerAddress <= 0) return null;
    const open = this.open.get(address) ?? 0;
    if (open >= this.maxPerAddress) return "crowded";
    this.open.set(address, open + 1);
    return null;
  }

  /** A connection that enter() let in has left the door: it closed, or it is in the room. */
  leave(host: string): void {
    if (this.maxPerAddress <= 0) return;
    const address = addressKey(host);
    const open = (this.open.get(address) ?? 1) - 1;
    if (open <= 0) this.open.delete(address);
    else this.open.set(address, open);
  }

  ban(host: string, name: string): void {
    this.bans.set(addressKey(host), name);
  }

  /** Every ban, as [address, name banned as]. */
  banned(): Array<[string, string]> {
    return [...this.bans];
  }

  /** Lift a ban given by address or by the name banned; returns the address, or null. */
  unban(what: string): string | null {
    const address = addressKey(what);
    if (this.bans.delete(address)) return address;
    const key = nameKey(what);
    for (const [address, name] of this.bans) {
      if (nameKey(name) !== key) continue;
      this.bans.delete(address);
      return address;
    }
    return null;
  }

  /**
   * Milliseconds before a password from `host` may be checked: 0, unless
   * the address has as many wrong answers held as it may; then until the
   * first of them ends.
   */
  slotIn(host: string, now: number): number {
    const f = this.current(addressKey(host), now);
    if (f === undefined) return 0;
    while (f.held.length > 0 && (f.held[0] as number) <= now) f.held.shift();
    if (f.held.length < PASSWORD_PENALTY.heldPerAddress) return 0;
    return (f.held[0] as number) - now;
  }

  /**
   * A wrong password from `host`: how long its answer is held (twice the
   * last one's, up to the ceiling), counted against the address until then.
   */
  failed(host: string, now: number): number {
    const address = addressKey(host);
    const before = this.current(address, now);
    const count = (before?.count ?? 0) + 1;
    const wait = penalty(count);
    const held = (before?.held ?? []).filter((until) => until > now);
    held.push(now + wait);
    this.failures.delete(address);
    this.failures.set(address, { count, held, last: now });
    if (this.failures.size > PASSWORD_PENALTY.addresses) {
      const oldest = this.failures.keys().next();
      if (!oldest.done) this.failures.delete(oldest.value);
    }
    return wait;
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

/**
 * The key an address is counted, banned and slowed down by: an IPv4 address
 * itself, an IPv6 address its /64 ("2001:db8:1:2::/64"), since one host may
 * hold a whole /64 and rotate through it. A key is its own key.
 */
export function addressKey(address: string): string {
  // As an operator may type it (/unban 2001:db8::/64), or an IPv4 peer of an IPv6 socket.
  const host = address.endsWith("/64") ? address.slice(0, -3) : address;
  if (host.toLowerCase().startsWith("::ffff:") && host.includes(".")) return host.slice(7);
  if (!host.includes(":")) return host;
  const [head = "", tail = ""] = host.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = host.includes("::")
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  const prefix = groups.slice(0, 4).map((g) => (Number.parseInt(g, 16) || 0).toString(16));
  return `${prefix.join(":")}::/64`;
}

/** How long the answer after `count` wrong passwords is held. */
function penalty(count: number): number {
  return Math.min(PASSWORD_PENALTY.maxMs, PASSWORD_PENALTY.firstMs * 2 ** (count - 1));
}

/** Compare a typed password with the secret in constant time, whatever their lengths. */
export function samePassword(typed: string, secret: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(typed), digest(secret));
}
