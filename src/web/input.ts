/**
 * The page's input box, a text area for a line or several (compose.ts says
 * what they are sent as): the texts typed, for Up and Down, and an
 * "/op PASSWORD" hidden as it is typed. Both keep the operator password out of
 * sight: the teacher's screen is often projected, and the history is what a
 * neighbour scrolls through. What is kept and what is secret are pure (tested
 * without a browser); the rest is the box's two listeners.
 */

import { parseInput } from "../protocol/parse.ts";
import { sanitize } from "../protocol/sanitize.ts";
import { fenceOpen } from "./compose.ts";

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

/** The input box with its history; `sent` empties it once its text went out. */
export interface InputBox {
  sent(text: string): void;
  /** Text put in from elsewhere (a refused line given back): masked and sized like typed text. */
  put(text: string): void;
}

/**
 * Give the text area `input` its keys: Enter sends (`send`), unless a fence
 * of ``` is open (compose.ts), Shift+Enter breaks the line; Up and Down go
 * through the history from the first and the last line; it grows with its
 * lines up to a height (style.css), then scrolls. An "/op PASSWORD" is masked as
 * it is typed: text drawn as discs where the browser can (Chromium and
 * WebKit), so the browser offers to save no password.
 * NOTE: a text area cannot be a password field: where discs are not drawn
 * (Firefox), the "secret" class blurs it instead (style.css).
 */
export function inputBox(input: HTMLTextAreaElement, send: () => void): InputBox {
  const history = new TypedHistory();
  // As tall as its lines; style.css's max-height stops it, and it scrolls.
  const fit = (): void => {
    input.style.height = "auto";
    input.style.height = `${input.scrollHeight + input.offsetHeight - input.clientHeight}px`;
  };
  const changed = (): void => {
    const hide = secret(input.value);
    input.classList.toggle("secret", hide);
    input.spellcheck = !hide;
    fit();
  };
  input.addEventListener("input", changed);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.isComposing) {
      if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
      if (fenceOpen(input.value.slice(0, input.selectionStart))) return;
      event.preventDefault();
      send();
      return;
    }
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    // Inside a text of several lines the arrows move between its lines.
    const before = input.value.slice(0, input.selectionStart);
    const after = input.value.slice(input.selectionEnd);
    if (event.key === "ArrowUp" && before.includes("\n")) return;
    if (event.key === "ArrowDown" && after.includes("\n")) return;
    const text = history.step(event.key === "ArrowUp" ? "up" : "down", input.value);
    if (text === null) return;
    event.preventDefault();
    input.value = text;
    changed();
  });
  return {
    sent(text: string): void {
      history.sent(text);
      input.value = "";
      changed();
    },
    put(text: string): void {
      input.value = text;
      changed();
    },
  };
}
