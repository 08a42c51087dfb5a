/**
 * Tab in the message box completes names and commands as the terminal
 * client does (client/tty/complete.ts), but only when there is a partial
 * word to complete: otherwise Tab moves the focus as usual, so the box is no
 * keyboard trap. Pressed again, Tab goes through the other candidates, and
 * past the last one moves the focus on.
 */

import { type Completion, complete } from "../client/tty/complete.ts";

/** One Tab's result: the box's new text and where the cursor goes, or null to let Tab move on. */
export interface Completed {
  readonly value: string;
  readonly cursor: number;
}

/** A completion being offered: the text around the word, and which candidate is in the box. */
interface Offer {
  readonly before: string;
  readonly after: string;
  readonly candidates: readonly string[];
  at: number;
  /** The box's text with the candidate in: another Tab on it offers the next one. */
  value: string;
}

/**
 * Completes in an input; `members` and `self` are read at each Tab (who is
 * in the room changes). Pure apart from what it remembers between Tabs.
 */
export class TabCompleter {
  /** The last completion offered, for the next Tab to cycle on. */
  #last: Offer | null = null;

  constructor(
    private readonly members: () => readonly string[],
    private readonly self: () => string,
  ) {}

  /** Tab with the box holding `value` and the cursor at `cursor`. */
  tab(value: string, cursor: number): Completed | null {
    const last = this.#last;
    if (last !== null && last.value === value) {
      last.at += 1;
      if (last.at < last.candidates.length) return this.#fill(last);
      this.#last = null;
      return null;
    }
    const head = value.slice(0, cursor);
    const [candidates, replaced]: Completion = complete(head, this.members(), this.self());
    // Nothing typed to complete, or nothing it could become: Tab moves the focus.
    if (replaced === "" || candidates.length === 0) {
      this.#last = null;
      return null;
    }
    const before = head.slice(0, head.length - replaced.length);
    this.#last = { before, after: value.slice(cursor), candidates, at: 0, value: "" };
    return this.#fill(this.#last);
  }

  #fill(last: Offer): Completed {
    const head = `${last.before}${last.candidates[last.at] as string}`;
    last.value = `${head}${last.after}`;
    return { value: last.value, cursor: head.length };
  }
}

/** Give `input` Tab completion. */
export function completeOnTab(input: HTMLTextAreaElement, completer: TabCompleter): void {
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Tab" || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const done = completer.tab(input.value, input.selectionStart ?? input.value.length);
    if (done === null) return;
    event.preventDefault();
    input.value = done.value;
    input.setSelectionRange(done.cursor, done.cursor);
  });
}
