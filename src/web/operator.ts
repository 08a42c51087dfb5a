/**
 * Being an operator, as far as the page can tell, across its connections:
 * whether the server made us one, and the operator password that did (an
 * /op typed in the room, or the one that claimed a name kept for
 * operators), kept in memory only, as the room's password is, and given
 * again by itself when that name asks for it on the way back. As the
 * terminal client does (link.ts), a page that was an operator and is
 * welcomed back without the server's `op` says so. Pure: it sees text, not
 * sockets.
 */

import { parseInput } from "../protocol/parse.ts";
import { sanitize } from "../protocol/sanitize.ts";
import { outgoing } from "./compose.ts";

export class OperatorStatus {
  /** The server said we are an operator (nowOperator, or `op` on a welcome or resume). */
  #operator = false;
  /** The operator password that last worked, for the page's life (never in the browser's storage). */
  #password = "";
  /** One sent (an /op, or at the door) and not answered yet. */
  #tried = "";
  /** One typed at the door while the page was away: the next kept-name question gets it. */
  #typed = "";

  /** What the person sent in the room: an /op's password is remembered if it works. */
  sent(text: string): void {
    const out = outgoing(text);
    if (out.kind !== "line") return;
    const input = parseInput(sanitize(out.line));
    if (input.kind === "op") this.#tried = input.password;
  }

  /** An operator password typed at the door, to send when the server asks for it. */
  typed(password: string): void {
    this.#typed = password;
  }

  /**
   * The server asks for the operator password of a kept name: the one typed
   * meanwhile, or the one that worked before; "" when the person must be asked.
   * What is returned is sent, and so waits for its answer.
   */
  claim(): string {
    const give = this.#typed !== "" ? this.#typed : this.#password;
    this.#typed = "";
    this.#tried = give;
    return give;
  }

  /** The password sent was wrong: forgotten, even the one that worked before (it changed). */
  refused(): void {
    if (this.#tried === this.#password) this.#password = "";
    this.#tried = "";
  }

  /** The server made us an operator: the password sent last is the one that works. */
  made(): void {
    this.#operator = true;
    if (this.#tried !== "") this.#password = this.#tried;
    this.#tried = "";
  }

  /**
   * In the room (a welcome, or a resume's answer), operator or not: true
   * when we were one and are no longer, which the person must be told.
   */
  arrived(operator: boolean): boolean {
    const lost = this.#operator && !operator;
    if (operator) this.made();
    else this.#operator = false;
    return lost;
  }
}
