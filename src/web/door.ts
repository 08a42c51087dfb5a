/**
 * The door: the card over the room that asks for the room's password or a
 * name, with the server's refusal under it. It only asks and hands back the
 * answer; when to ask, and what to do with the answer, is app.ts's to say.
 */

import type { Words } from "./words.ts";

/** What the door asks for. */
export type Asks = "name" | "password";

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
      const answer = asks === "password" ? this.#input.value : value;
      if (asks === "password") this.#input.value = "";
      this.#error.textContent = "";
      answered(asks, answer);
    });
  }

  /** Show the door asking for `what`, with the server's refusal of the last answer if any. */
  ask(what: Asks, refusal = ""): void {
    const w = this.w;
    this.#card.hidden = false;
    this.#title.textContent = what === "name" ? w.namePrompt : w.passwordPrompt;
    this.#hint.textContent = what === "name" ? w.nameHint : w.passwordHint;
    this.#button.textContent = what === "name" ? w.join : w.enter;
    this.#input.type = what === "password" ? "password" : "text";
    // A password field starts empty: never a name (or anything else) as dots in it.
    if (what === "password" && this.#asks !== "password") this.#input.value = "";
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
