/**
 * The page's own words on its elements: buttons, labels, the input's
 * placeholder, the invitation's dialog. Set once as the page loads, and
 * again when the page's language changes (language.ts); the parts that
 * change their words as they go (the status line, the notify button, the
 * member count) say theirs again themselves.
 */

import type { Lang } from "../protocol/lang.ts";
import type { Words } from "./words.ts";

/** Put `w`, in `lang`, on the page's elements in `doc`. */
export function labelPage(doc: Document, w: Words, lang: Lang): void {
  const $ = (id: string): HTMLElement => doc.getElementById(id) as HTMLElement;
  doc.documentElement.lang = lang === "pt" ? "pt-BR" : "en";
  $("help").textContent = w.help;
  $("send").textContent = w.send;
  $("input-label").textContent = w.placeholder;
  $("members-title").textContent = w.members;
  $("topic-label").textContent = `${w.topic}: `;
  $("modes-label").textContent = `${w.modes}: `;
  // The live region around the list: a list's role must stay a list's.
  $("log-region").setAttribute("aria-label", w.log);
  ($("input") as HTMLTextAreaElement).placeholder = w.placeholder;
  $("reconnect").textContent = w.reconnectNow;
  $("transcript").textContent = w.transcript;
  $("invite").textContent = w.invite;
  $("unread").textContent = w.newLines;
  const dialog = $("invite-dialog");
  (dialog.querySelector("h2") as HTMLElement).textContent = w.inviteTitle;
  (dialog.querySelector("button") as HTMLElement).textContent = w.close;
}
