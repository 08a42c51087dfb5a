/**
 * The "new messages" marker: lines arrived while the person had scrolled up
 * to read. It shows below the log until they scroll back down, or press it
 * to go there; the log never jumps away from what is being read.
 */

import { atBottom } from "./render.ts";

export class NewLinesMarker {
  constructor(
    log: HTMLElement,
    private readonly button: HTMLButtonElement,
  ) {
    button.hidden = true;
    log.addEventListener("scroll", () => {
      if (atBottom(log)) button.hidden = true;
    });
    button.addEventListener("click", () => {
      log.scrollTop = log.scrollHeight;
      button.hidden = true;
    });
  }

  /** A line was added; `followed`: the log scrolled to it (showLine). */
  added(followed: boolean): void {
    if (!followed) this.button.hidden = false;
  }
}
