/**
 * The page's input box: the lines typed, for Up and Down, and an
 * "/op PASSWORD" hidden as it is typed. Both keep the operator password out of
 * sight: the teacher's screen is often projected, and the history is what a
 * neighbour scrolls through. What is kept and what is secret are pure (tested
 * without a browser); the rest is the box's two listeners.
 */

import { parseInput } from "../protocol/parse.ts";
import { sanitize } from "../protocol/sanitize.ts";

/** Input lines kept for Up and Down. */
export const MAX_HISTORY = 200;

/** Whether a typed line holds the operator password: "/op " and what follows. */
export function secret(line: string): boolean {
  return /^\/op\s/i.test(sanitize(line));
}

/**
 * The lines sent, newest first, and where Up and Down have got to. Never a
 * password; a line sent twice in a row is kept once. In the page's memory only.
 */
export class TypedHistory {
  readonly #lines: string[] = [];
  /** -1 in the line being typed, else the index of the kept line shown. */
  #at = -1;
  /** What was being typed before Up, given back by Down past the newest line. */
  #draft = "";

  /** A line was sent: keep it unless it is blank or an /op; browsing starts again from the box. */
  sent(line: string): void {
    const kind = parseInput(sanitize(line)).kind;
    const keep = kind !== "empty" && kind !== "op" && !secret(line);
    if (keep && this.#lines[0] !== line) this.#lines.unshift(line);
    if (this.#lines.length > MAX_HISTORY) this.#lines.pop();
    this.#at = -1;
  }

  /**
   * Up (older) or Down (newer) from `current`, what the box holds now: the
   * line to put in the box, or null when nothing was kept (the key does its
   * usual thing).
   */
  step(direction: "up" | "down", current: string): string | null {
    if (this.#lines.length === 0) return null;
    if (this.#at === -1) this.#draft = current;
    const next = this.#at + (direction === "up" ? 1 : -1);
    this.#at = Math.max(-1, Math.min(this.#lines.length - 1, next));
    return this.#at === -1 ? this.#draft : (this.#lines[this.#at] as string);
  }
}

/** The input box with its history; `sent` empties it once its line went out. */
export interface InputBox {
  sent(line: string): void;
}

/**
 * Give `input` its history on Up and Down, and mask an "/op PASSWORD" as it
 * is typed: text drawn as discs where the browser can (Chromium and WebKit),
 * so the field stays a text field and the browser offers to save no
 * password; elsewhere, a password field.
 */
export function inputBox(input: HTMLInputElement): InputBox {
  const history = new TypedHistory();
  const discs = typeof CSS !== "undefined" && CSS.supports("-webkit-text-security", "disc");
  const mask = (): void => {
    const hide = secret(input.value);
    input.classList.toggle("secret", hide);
    input.spellcheck = !hide;
    if (!discs) input.type = hide ? "password" : "text";
  };
  input.addEventListener("input", mask);
  input.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    const line = history.step(event.key === "ArrowUp" ? "up" : "down", input.value);
    if (line === null) return;
    event.preventDefault();
    input.value = line;
    mask();
  });
  return {
    sent(line: string): void {
      history.sent(line);
      input.value = "";
      mask();
    },
  };
}
