/**
 * The members who live on other servers, as this server knows them: by name
 * key, each with the server it is on. The room asks it whether a name is
 * taken elsewhere and who is where, and tells it what the other servers
 * said; what members read about it is the room's business. Pure.
 */

import { nameKey } from "../../protocol/names.ts";
import type { Remote } from "./peers.ts";

export class Elsewhere {
  private readonly byKey = new Map<string, Remote>();

  get size(): number {
    return this.byKey.size;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get(key: string): Remote | undefined {
    return this.byKey.get(key);
  }

  values(): IterableIterator<Remote> {
    return this.byKey.values();
  }

  /**
   * `node` has a member called `name`. Not when another server's member
   * holds the name already: two servers gave it while apart, and the one that
   * lost it renames its member when they meet.
   */
  joined(node: string, name: string, host: string): void {
    const key = nameKey(name);
    const holder = this.byKey.get(key);
    if (holder === undefined || holder.node === node) this.byKey.set(key, { name, node, host });
  }

  /** `node`'s member left; a stale word (the name now someone else's) changes nothing. */
  left(node: string, name: string): void {
    const key = nameKey(name);
    if (this.byKey.get(key)?.node === node) this.byKey.delete(key);
  }

  /** `node`'s member is called `to` now (its old name, if it was ever known here, is freed). */
  renamed(node: string, from: string, to: string): void {
    const key = nameKey(from);
    const before = this.byKey.get(key);
    const own = before?.node === node ? before : undefined;
    if (own !== undefined) this.byKey.delete(key);
    this.byKey.set(nameKey(to), { name: to, node, host: own?.host ?? "" });
  }

  /** This server was given the name: what it knew of an earlier holder is stale. */
  forgetName(key: string): void {
    this.byKey.delete(key);
  }

  /** `node`'s members are gone; returns their names. */
  forget(node: string): string[] {
    const gone: string[] = [];
    for (const [key, m] of this.byKey) {
      if (m.node !== node) continue;
      this.byKey.delete(key);
      gone.push(m.name);
    }
    return gone;
  }

  /** `node` has exactly these members now; returns who came and who went. */
  replace(
    node: string,
    members: ReadonlyArray<readonly [string, string]>,
  ): { joined: string[]; left: string[] } {
    const before = new Map(this.forget(node).map((name) => [nameKey(name), name]));
    const joined: string[] = [];
    for (const [name, host] of members) {
      const key = nameKey(name);
      if (!before.delete(key)) joined.push(name);
      this.byKey.set(key, { name, node, host });
    }
    return { joined, left: [...before.values()] };
  }

  /** The servers whose members this one knows of. */
  nodes(): Set<string> {
    const nodes = new Set<string>();
    for (const m of this.byKey.values()) nodes.add(m.node);
    return nodes;
  }
}
