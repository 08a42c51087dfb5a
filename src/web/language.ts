/**
 * The page's language: the browser's when it lists English or Portuguese,
 * otherwise the room's (the server's default, told in its CAP answer); and
 * from then on whatever the server says it speaks to us (/lang's answer).
 * The page's words follow it: `w` is one object whose sentences are swapped
 * in place, so every part of the page that holds it speaks the new language
 * from its next sentence; `changed` re-labels what is already shown.
 */

import { isLang, type Lang } from "../protocol/lang.ts";
import { pageLang, WORDS, type Words } from "./words.ts";

export class PageLanguage {
  /** The browser's choice, or "none" until the room's is known. */
  #lang: Lang | "none";
  /** The page's sentences, in `lang`: the same object for the page's life. */
  readonly w: Words;

  constructor(
    browser: readonly string[],
    private readonly changed: (lang: Lang) => void,
  ) {
    this.#lang = pageLang(browser);
    // Before the room has said its language, the page speaks English.
    this.w = { ...WORDS[this.#lang === "none" ? "en" : this.#lang] };
  }

  /** The language the page speaks now. */
  get lang(): Lang {
    return this.#lang === "none" ? "en" : this.#lang;
  }

  /**
   * The server is ready for a new member and speaks `room` (its CAP answer):
   * the page takes the room's language if the browser had none of its own,
   * else the line asking the server for the browser's (null when none is needed).
   */
  knock(room: string | null): string | null {
    if (this.#lang === "none") {
      if (room !== null && isLang(room)) this.speak(room);
      return null;
    }
    return room === this.#lang ? null : `/lang ${this.#lang}`;
  }

  /** The server speaks `lang` to us now (the answer to /lang): so does the page. */
  speak(lang: string | null): void {
    if (lang === null || !isLang(lang)) return;
    const was = this.#lang;
    this.#lang = lang;
    if (was === lang) return;
    Object.assign(this.w, WORDS[lang]);
    this.changed(lang);
  }
}
