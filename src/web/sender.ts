/**
 * What the person types, sent: one line as a message or a command, several
 * as one block (compose.ts), both within the server's limits (what is over
 * them is refused here and stays in the input, as the terminal client does),
 * and shown on the page as the room will see it, since the server does not
 * send people their own lines back.
 */

import type { ServerLine } from "../client/core/meaning.ts";
import { checkBlock, encodeBlock, encodeTyped, utf8Bytes } from "../protocol/block.ts";
import { action, chat } from "../protocol/messages.ts";
import { parseInput } from "../protocol/parse.ts";
import { sanitize } from "../protocol/sanitize.ts";
import { outgoing } from "./compose.ts";
import type { Connection } from "./connection.ts";
import type { InputBox } from "./input.ts";
import { type Entry, ownBlock, present } from "./view.ts";
import type { Words } from "./words.ts";

/** What the sender needs of the page around it. */
export interface SenderParts {
  readonly connection: Connection;
  readonly box: InputBox;
  readonly w: Words;
  /** Our name in the room. */
  name(): string;
  show(entry: Entry): void;
}

export class Sender {
  /** The server's line limit, from its CAP answer or limits line; nothing longer is sent. */
  #maxLineBytes = Number.POSITIVE_INFINITY;

  constructor(private readonly parts: SenderParts) {}

  /** Read a server line: the room's line limit, when it tells it. */
  heard(line: ServerLine): void {
    const m = line.meaning;
    if (m?.kind === "cap" && m.maxLineBytes !== null) this.#maxLineBytes = m.maxLineBytes;
    if (m?.kind === "limits") this.#maxLineBytes = m.maxLineBytes;
  }

  /** Send what the box holds, `text`; false when it stays there (nothing to send, or over a limit). */
  send(text: string): boolean {
    const { connection, box, w } = this.parts;
    const name = this.parts.name();
    const out = outgoing(text);
    const now = new Date();
    if (out.kind === "nothing") return false;
    if (out.kind === "block") {
      const problem = checkBlock(out.lines, this.#maxLineBytes);
      if (problem !== null) {
        this.parts.show(present(w.blockTooLong(problem), name, now));
        return false;
      }
      // One frame: the header and its lines arrive together.
      connection.send(encodeBlock(out.lines).join("\n"));
      this.parts.show(ownBlock(name, out.lines, now));
    } else {
      const bytes = utf8Bytes(out.line);
      if (bytes > this.#maxLineBytes) {
        this.parts.show(present(w.tooLong(bytes, this.#maxLineBytes), name, now));
        return false;
      }
      // A line typed as `@block=N` goes as a block of that one line, so the server takes it as text.
      connection.send(encodeTyped(out.line).join("\n"));
      // Read as the server reads it (sanitised first).
      const typed = parseInput(sanitize(out.line));
      if (typed.kind === "message") this.parts.show(present(chat(name, typed.text), name, now));
      if (typed.kind === "me") this.parts.show(present(action(name, typed.action), name, now));
    }
    // Kept for Up and Down, never an "/op PASSWORD" (input.ts); the box empties.
    box.sent(text);
    return true;
  }
}
