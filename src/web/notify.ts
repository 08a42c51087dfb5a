/**
 * Lines that want the person (a private line, their name mentioned) while
 * the tab is hidden: a count in the tab's title until they look again, and a
 * browser notification once they allowed them with the page's button.
 */

import type { Entry } from "./view.ts";
import type { Words } from "./words.ts";

/** The tab's title with nothing unread. */
const TITLE = "papo";

export class Notifier {
  /** Lines that wanted attention since the tab was last looked at. */
  #unread = 0;

  constructor(
    private readonly button: HTMLButtonElement,
    private readonly w: Words,
  ) {
    document.addEventListener("visibilitychange", () => {
      if (document.hidden) return;
      this.#unread = 0;
      document.title = TITLE;
    });
    // The button only where notifications can still be allowed.
    if (typeof Notification === "undefined" || Notification.permission === "denied") return;
    button.hidden = false;
    this.relabel();
    button.addEventListener("click", async () => {
      const answer = await Notification.requestPermission();
      this.relabel();
      if (answer === "denied") button.hidden = true;
    });
  }

  /** The button's words for where permission stands, in the page's language now. */
  relabel(): void {
    if (typeof Notification === "undefined") return;
    this.button.textContent =
      Notification.permission === "granted" ? this.w.notifyOn : this.w.notify;
  }

  /** A line that wants attention: counted, and notified, if the person is not looking. */
  attend(entry: Entry): void {
    if (!document.hidden) return;
    this.#unread++;
    document.title = `(${this.#unread}) ${TITLE}`;
    if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
    new Notification(this.w.notificationFrom(entry.name), { body: entry.text, tag: "papo" });
  }
}
