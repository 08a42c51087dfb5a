/**
 * Who the client believes is in the room, for Tab completion. Learned only
 * from what the server alone writes (heard.ts): the welcome and /who lists,
 * "* NAME joined", "* NAME left", kicks, bans and renames, and the "<NAME>"
 * the server puts before every chat line, action and private message. The
 * welcome names at most 20 and /who 50, and a big room announces no joins,
 * so the list is what is known, not always everyone. Pure.
 */

import { nameKey } from "../../protocol/names.ts";
import { author, hear } from "./heard.ts";

export class Members {
  /** By nameKey, so "Ana" and "ana" are one member, spelled as the server last wrote it. */
  private readonly known = new Map<string, string>();

  /** Learn from one (sanitized) server line. */
  hear(line: string): void {
    const speaker = author(line);
    if (speaker !== null) {
      this.add(speaker);
      return;
    }
    const heard = hear(line);
    switch (heard?.kind) {
      case "welcome":
        // A new join: whatever was known belongs to an earlier connection.
        this.known.clear();
        for (const name of heard.names) this.add(name);
        this.add(heard.name);
        break;
      case "who":
        if (heard.complete) this.known.clear();
        for (const name of heard.names) this.add(name);
        break;
      case "joined":
      case "private-from":
        this.add(heard.name);
        break;
      case "left":
      case "removed":
        this.known.delete(nameKey(heard.name));
        break;
      case "renamed":
        this.known.delete(nameKey(heard.from));
        this.add(heard.to);
        break;
      default:
        break;
    }
  }

  /** Everyone known, in alphabetical order (ignoring case). */
  names(): string[] {
    return [...this.known.values()].sort((a, b) => nameKey(a).localeCompare(nameKey(b)));
  }

  private add(name: string): void {
    this.known.set(nameKey(name), name);
  }
}
