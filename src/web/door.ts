/**
 * The door: the card over the room that asks for the room's password, a
 * name, or the operator password of a name kept for operators, with the
 * server's refusal under it. It only asks and hands back the
 * answer; when to ask, and what to do with the answer, is app.ts's to say.
 */

import type { Words } from "./words.ts";

/** What the door asks for: "operator" is the operator password of a name kept for operators. */
export type Asks = "name" | "password" | "operator";

/** Asked with the field's dots: gone from the field once sent, never shown. */
const secret = (asks: Asks | null): boolean => asks === "password" || asks === "operator";

export class Door {
  readonly #card: HTMLElement;
  readonly #input: HTMLInputElement;
  readonly #error: HTMLElement;
  readonly #title: HTMLElement;
  readonly #hint: HTMLElement;
  readonly #button: HTMLElement;
  /** What the door asked for last (null before it first asked). */
  #asks: Asks | null = null;

  /** Find the door's elements in `document`; `answered` gets each answer typed. */
  constructor(
    document: Document,
    private readonly w: Words,
    answered: (asks: Asks | null, value: string) => void,
  ) {
    const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
    this.#card = $("door");
    this.#input = $("door-input");
    this.#error = $("door-error");
    this.#title = $("door-title");
    this.#hint = $("door-hint");
    this.#button = $("door-button");
    $("door-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = this.#input.value.trim();
      if (value === "") return;
      const asks = this.#asks;
      // A password as typed, spaces and all, and gone from the field at once.
      const answer = secret(asks) ? this.#input.value : value;
      if (secret(asks)) this.#input.value = "";
      this.#error.textContent = "";
      answered(asks, answer);
    });
  }

  /**
   * Show the door asking for `what`, with the server's refusal of the last
   * answer if any. `name`: the kept name an operator password is asked for,
   * or the name offered again in the field (one whose operator password was wrong).
   */
  ask(what: Asks, refusal = "", name = ""): void {
    const w = this.w;
    this.#card.hidden = false;
    const [title, hint, button] =
      what === "name"
        ? [w.namePrompt, w.nameHint, w.join]
        : what === "password"
          ? [w.passwordPrompt, w.passwordHint, w.enter]
          : [w.operatorPrompt(name), w.operatorHint, w.enter];
    this.#title.textContent = title;
    this.#hint.textContent = hint;
    this.#button.textContent = button;
    this.#input.type = secret(what) ? "password" : "text";
    // A password field starts empty: never a name (or another password) as dots in it.
    if (secret(what) && this.#asks !== what) this.#input.value = "";
    if (what === "name" && name !== "") this.#input.value = name;
    this.#asks = what;
    this.#input.dataset.asks = what;
    this.#error.textContent = refusal.replace(/^! /, "");
    this.#input.focus();
    this.#input.select();
  }

  /** In the room, or over: the door would cover the log. */
  hide(): void {
    this.#card.hidden = true;
  }
}
