/**
 * The room on the page: the log of lines and the list of who is in, built
 * from text nodes only, never HTML, whatever anyone sends. view.ts says what
 * a line is (pure); this turns it into elements, as client/tty/render.ts
 * turns it into a terminal's text.
 */

import { linkParts } from "./links.ts";
import { type Entry, present } from "./view.ts";
import type { Words } from "./words.ts";

/** Lines kept on the page; older ones are removed (the DOM would only grow). */
export const MAX_LINES = 2_000;
/** Pixels from the bottom that still count as reading the newest line. */
const AT_BOTTOM_PX = 40;

/** A /help row, "*   /msg NAME TEXT     send a private line": its usage, then what it does. */
const HELP_ROW = /^\* {3}(\/\S+(?: \S+)*?) {2,}(\S.*)$/;

/**
 * Add one line to the log, our own name marked `self`; the log keeps
 * following new lines only if the person had not scrolled up. Whether it
 * did: false is a line the person has not seen yet.
 */
export function showLine(log: HTMLElement, entry: Entry, self: string): boolean {
  const item = document.createElement("li");
  item.className = `line ${entry.kind}`;
  if (entry.attention === "mention") item.classList.add("mention");
  const time = document.createElement("time");
  time.textContent = entry.time;
  // A space, not only a margin: a copied line reads "11:50 <ana> hi".
  item.append(time, " ");
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
  const row = entry.kind === "notice" ? HELP_ROW.exec(entry.text) : null;
  if (entry.block !== null) {
    item.classList.add("block");
    item.append(codeOf(entry.block));
  } else if (row !== null) {
    // A /help row: usage and meaning in two cells that wrap apart on a phone.
    item.classList.add("help-row");
    const usage = document.createElement("code");
    usage.textContent = row[1] as string;
    const what = document.createElement("span");
    what.className = "what";
    what.textContent = row[2] as string;
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.textContent = "* ";
    item.append(mark, usage, " ", what);
  } else item.append(textOf(entry));
  const following = atBottom(log);
  log.append(item);
  while (log.childElementCount > MAX_LINES) log.firstElementChild?.remove();
  if (following) log.scrollTop = log.scrollHeight;
  return following;
}

/**
 * A block's lines in monospace, as they were written: one text node, so its
 * indentation and blank lines stay and nothing in it is read as HTML.
 */
function codeOf(lines: readonly string[]): HTMLElement {
  const pre = document.createElement("pre");
  pre.className = "code";
  const code = document.createElement("code");
  code.textContent = lines.join("\n");
  pre.append(code);
  return pre;
}

/** The line's text, its web addresses as links. */
function textOf(entry: Entry): HTMLElement {
  const text = document.createElement("span");
  text.className = "text";
  for (const part of linkParts(entry.text)) {
    text.append(part.href === null ? part.text : link(part.text, part.href));
  }
  return text;
}

/** Whether the log shows its newest line (or near enough). */
export function atBottom(log: HTMLElement): boolean {
  return log.scrollHeight - log.scrollTop - log.clientHeight < AT_BOTTOM_PX;
}

/**
 * An address someone sent, as a link: in a new tab that can neither reach
 * back to the room's page (noopener) nor learn its address (noreferrer).
 */
function link(text: string, href: string): HTMLAnchorElement {
  const a = document.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.textContent = text;
  return a;
}

/** The member list, each name in its colour, and its button that opens it on a narrow screen. */
export class MemberList {
  constructor(
    private readonly list: HTMLElement,
    panel: HTMLElement,
    private readonly toggle: HTMLButtonElement,
    private readonly w: Words,
    /** The page's language now, whose order the names are sorted in. */
    private readonly lang: () => string,
  ) {
    toggle.addEventListener("click", () => {
      const open = panel.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  /**
   * Show `names`, our own (`self`) marked, and their count on the button;
   * in the page's language's order of the names as shown ("@" aside), not
   * of their look-alike keys, where "m" is "rn" and maria came after prof.
   */
  show(names: readonly string[], self: string): void {
    const plainOf = (member: string) => (member.startsWith("@") ? member.slice(1) : member);
    const collator = new Intl.Collator(this.lang());
    const sorted = [...names].sort((a, b) => collator.compare(plainOf(a), plainOf(b)));
    const items = sorted.map((member) => {
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
    this.toggle.textContent = `${this.w.members} (${names.length})`;
  }
}
