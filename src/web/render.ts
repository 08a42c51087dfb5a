/**
 * The room on the page: the log of lines and the list of who is in, built
 * from text nodes only, never HTML, whatever anyone sends. view.ts says what
 * a line is (pure); this turns it into elements, as client/tty/render.ts
 * turns it into a terminal's text.
 */

import { type Entry, present } from "./view.ts";

/** Lines kept on the page; older ones are removed (the DOM would only grow). */
export const MAX_LINES = 2_000;
/** Pixels from the bottom that still count as reading the newest line. */
const AT_BOTTOM_PX = 40;

/**
 * Add one line to the log, our own name marked `self`; the log keeps
 * following new lines only if the person had not scrolled up.
 */
export function showLine(log: HTMLElement, entry: Entry, self: string): void {
  const item = document.createElement("li");
  item.className = `line ${entry.kind}`;
  if (entry.attention === "mention") item.classList.add("mention");
  const time = document.createElement("time");
  time.textContent = entry.time;
  item.append(time);
  if (entry.tag !== "") {
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = entry.tag;
    item.append(tag, " ");
  }
  if (entry.name !== "") {
    const who = document.createElement("span");
    who.className = `who c${entry.color}`;
    if (entry.name === self) who.classList.add("self");
    const name = entry.op ? `@${entry.name}` : entry.name;
    who.textContent = entry.action ? `* ${name}` : `<${name}>`;
    item.append(who, " ");
  }
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = entry.text;
  item.append(text);
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < AT_BOTTOM_PX;
  log.append(item);
  while (log.childElementCount > MAX_LINES) log.firstElementChild?.remove();
  if (atBottom) log.scrollTop = log.scrollHeight;
}

/** The member list, each name in its colour, and its button that opens it on a narrow screen. */
export class MemberList {
  constructor(
    private readonly list: HTMLElement,
    panel: HTMLElement,
    private readonly toggle: HTMLButtonElement,
    private readonly title: string,
  ) {
    toggle.addEventListener("click", () => {
      const open = panel.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  /** Show `names`, our own (`self`) marked, and their count on the button. */
  show(names: readonly string[], self: string): void {
    const items = names.map((member) => {
      const item = document.createElement("li");
      // "@prof": an operator, in prof's colour.
      const plain = member.startsWith("@") ? member.slice(1) : member;
      const entry = present(`<${plain}> .`, "", new Date());
      item.className = `who c${entry.color}`;
      if (plain === self) item.classList.add("self");
      item.textContent = member;
      return item;
    });
    this.list.replaceChildren(...items);
    this.toggle.textContent = `${this.title} (${names.length})`;
  }
}
