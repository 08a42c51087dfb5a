/**
 * Who the client believes is in the room, for Tab completion and the web
 * page's list. Learned only from the lines' tags (meaning.ts): the welcome
 * and /who lists, joins, leaves, kicks, bans and renames, and the `from` the
 * server puts on every chat line, action, history line and private message.
 * The server may cap the lists, and a big room announces no joins, so the
 * list is what is known, not always everyone. Pure.
 */

import { nameKey } from "../../protocol/names.ts";
import type { ServerLine } from "./meaning.ts";

export class Members {
  /** By nameKey, so "Ana" and "ana" are one member, spelled as the server last wrote it. */
  private readonly known = new Map<string, string>();
  /** The name keys of those known to be operators (/who's "@", an `op` line). */
  private readonly operators = new Set<string>();

  /** Learn from one server line. */
  hear(line: ServerLine): void {
    if (line.from !== null && line.from !== "") {
      this.add(line.from);
      if (line.tags.op !== undefined) this.operators.add(nameKey(line.from));
    }
    const m = line.meaning;
    switch (m?.kind) {
      case "welcome":
        // A new join: whatever was known belongs to an earlier connection.
        this.known.clear();
        for (const name of m.names) this.add(name);
        this.add(m.name);
        break;
      case "who":
        if (m.complete) {
          this.known.clear();
          this.operators.clear();
        }
        for (const name of m.names) {
          // "@prof": an operator.
          const op = name.startsWith("@");
          const plain = op ? name.slice(1) : name;
          this.add(plain);
          if (op) this.operators.add(nameKey(plain));
        }
        break;
      case "joined":
      case "private-from":
        this.add(m.name);
        break;
      case "left":
      case "removed":
        this.known.delete(nameKey(m.name));
        this.operators.delete(nameKey(m.name));
        break;
      case "renamed":
        this.known.delete(nameKey(m.from));
        if (this.operators.delete(nameKey(m.from))) this.operators.add(nameKey(m.to));
        this.add(m.to);
        break;
      default:
        break;
    }
  }

  /** Forget everyone: the page lost the room and does not know who is there. */
  clear(): void {
    this.known.clear();
    this.operators.clear();
  }

  /** Everyone known, as the page's list shows them: operators "@prof", in alphabetical order. */
  shown(): string[] {
    return this.names().map((n) => (this.operators.has(nameKey(n)) ? `@${n}` : n));
  }

  /** Everyone known, in alphabetical order (ignoring case). */
  names(): string[] {
    return [...this.known.values()].sort((a, b) => nameKey(a).localeCompare(nameKey(b)));
  }

  private add(name: string): void {
    if (name !== "") this.known.set(nameKey(name), name);
  }
}
