/**
 * The operators' transcript on the page: a button, shown while the server
 * has us as an operator (/op, or a name kept for operators), that asks for it (/transcript), and the download
 * the server's answer starts. The answer carries a one-time path
 * (/transcript?t=TICKET, good for a minute) in its tags; only a path of
 * that exact shape is followed, and the browser saves what it serves.
 */

import type { ServerLine } from "../client/core/meaning.ts";
import { TRANSCRIPT_PATH } from "./paths.ts";

/** A ticket's path, as the server gives it (a ticket is base64url). */
const TICKET_PATH = new RegExp(`^${TRANSCRIPT_PATH}\\?t=[A-Za-z0-9_-]{16,128}$`);

/** The one-time path in a `transcriptReady` reply's `args` tag; null when it holds none. */
export function ticketPath(args: string | undefined): string | null {
  if (args === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return null;
  }
  const path = Array.isArray(parsed) ? parsed[0] : null;
  return typeof path === "string" && TICKET_PATH.test(path) ? path : null;
}

export class TranscriptButton {
  constructor(
    private readonly button: HTMLButtonElement,
    ask: () => void,
  ) {
    button.hidden = true;
    button.addEventListener("click", ask);
  }

  /**
   * Read a server line: being made an operator shows the button; a welcome
   * or a resume's answer shows it only for an operator (a kept name's claim,
   * or a restart that forgot us); a ticket starts the download. True for a
   * ticket: the page tells the person in its own words, not the server's.
   */
  heard(line: ServerLine): boolean {
    const m = line.meaning;
    if (m?.kind === "operator") this.button.hidden = false;
    if (m?.kind === "welcome" || m?.kind === "resumed") this.button.hidden = !m.operator;
    if (line.kind !== "reply" || line.tags.ev !== "transcriptReady") return false;
    const path = ticketPath(line.tags.args);
    if (path === null) return false;
    download(path);
    return true;
  }
}

/** Save what `path` serves (the server says it is an attachment, and its file name). */
function download(path: string): void {
  const link = document.createElement("a");
  link.href = path;
  link.download = "";
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}
