/**
 * The members who live on other servers, as this server knows them: by name
 * key, each with the server it is on. The room asks it whether a name is
 * taken elsewhere and who is where, and tells it what the other servers
 * said; what members read about it is the room's business. Pure.
 *
 * One rule decides who holds a name, whatever the event: the server that
 * said last (in the stream's order, which every server reads alike) that its
 * member is called so holds it (a join, a rename to it, a roster with it); a
 * server's word that its member let the name go (a leave, a rename from it)
 * takes back that server's own word only. A name changes hands in Redis
 * before the old holder's leave reaches the stream, so the new holder's join
 * may come first: the late leave must not delete the new one. While servers
 * are apart two may give one name; the last to say so holds it, and if it
 * lets the name go (the loser of the conflict is renamed when they meet),
 * the other holds it again.
 */

import { nameKey } from "../../protocol/names.ts";
import type { Remote } from "./peers.ts";

export class Elsewhere {
  /**
   * Everyone who said they hold each name key, in the order they said it:
   * the last holds it. The others wait behind (two servers apart gave one
   * name) and hold it again if the last lets it go.
   */
  private readonly byKey = new Map<string, Remote[]>();

  get size(): number {
    return this.byKey.size;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get(key: string): Remote | undefined {
    return this.byKey.get(key)?.at(-1);
  }

  *values(): IterableIterator<Remote> {
    for (const holders of this.byKey.values()) yield holders.at(-1) as Remote;
  }

  /** `node` has a member called `name`: it holds the name now. */
  joined(node: string, name: string, host: string): void {
    const key = nameKey(name);
    const holders = (this.byKey.get(key) ?? []).filter((m) => m.node !== node);
    holders.push({ name, node, host });
    this.byKey.set(key, holders);
  }

  /** `node`'s member left: its word for the name is gone; whoever said it before holds it again. */
  left(node: string, name: string): void {
    this.release(node, nameKey(name));
  }

  /** `node`'s member is called `to` now: it holds `to`, and lets `from` go. */
  renamed(node: string, from: string, to: string): void {
    const own = this.release(node, nameKey(from));
    this.joined(node, to, own?.host ?? "");
  }

  /** This server was given the name: what it knew of earlier holders is stale. */
  forgetName(key: string): void {
    this.byKey.delete(key);
  }

  /** `node`'s members are gone; returns the names nobody holds any more. */
  forget(node: string): string[] {
    const gone: string[] = [];
    for (const [key, holders] of this.byKey) {
      const own = holders.find((m) => m.node === node);
      if (own === undefined) continue;
      this.release(node, key);
      if (!this.byKey.has(key)) gone.push(own.name);
    }
    return gone;
  }

  /** `node` has exactly these members now; returns who came and who went. */
  replace(
    node: string,
    members: ReadonlyArray<readonly [string, string]>,
  ): { joined: string[]; left: string[] } {
    const before = new Map<string, string>();
    for (const [key, holders] of this.byKey) {
      const own = holders.find((m) => m.node === node);
      if (own === undefined) continue;
      before.set(key, own.name);
      this.release(node, key);
    }
    const joined: string[] = [];
    for (const [name, host] of members) {
      if (!before.delete(nameKey(name))) joined.push(name);
      this.joined(node, name, host);
    }
    return { joined, left: [...before.values()] };
  }

  /** `node` lets the name `key` go; returns its entry, if it had one. */
  private release(node: string, key: string): Remote | undefined {
    const holders = this.byKey.get(key);
    const at = holders?.findIndex((m) => m.node === node) ?? -1;
    if (holders === undefined || at === -1) return undefined;
    const [own] = holders.splice(at, 1);
    if (holders.length === 0) this.byKey.delete(key);
    return own;
  }

  /** The servers whose members this one knows of. */
  nodes(): Set<string> {
    const nodes = new Set<string>();
    for (const holders of this.byKey.values()) for (const m of holders) nodes.add(m.node);
    return nodes;
  }
}
