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

  /** Learn from one server line. */
  hear(line: ServerLine): void {
    if (line.from !== null && line.from !== "") this.add(line.from);
    const m = line.meaning;
    switch (m?.kind) {
      case "welcome":
        // A new join: whatever was known belongs to an earlier connection.
        this.known.clear();
        for (const name of m.names) this.add(name);
        this.add(m.name);
        break;
      case "who":
        if (m.complete) this.known.clear();
        for (const name of m.names) this.add(name);
        break;
      case "joined":
      case "private-from":
        this.add(m.name);
        break;
      case "left":
      case "removed":
        this.known.delete(nameKey(m.name));
        break;
      case "renamed":
        this.known.delete(nameKey(m.from));
        this.add(m.to);
        break;
      default:
        break;
    }
  }

  /** Forget everyone: the page lost the room and does not know who is there. */
  clear(): void {
    this.known.clear();
  }

  /** Everyone known, in alphabetical order (ignoring case). */
  names(): string[] {
    return [...this.known.values()].sort((a, b) => nameKey(a).localeCompare(nameKey(b)));
  }

  private add(name: string): void {
    if (name !== "") this.known.set(nameKey(name), name);
  }
}
