/**
 * The "invite" button: a dialog with the QR code of the page's address and
 * the address itself, for a teacher to put on the projector. Both are
 * served by papo (/invite.svg, /invite.txt: server/transport/invite.ts), so
 * the page's Content-Security-Policy needs no `data:` image; the code is an
 * <img>, the address text. Its words are put on it with the page's (labels.ts).
 */

import { INVITE_SVG, INVITE_TEXT } from "./paths.ts";
import type { Words } from "./words.ts";

/** Make `button` open `dialog` with the invitation in it. */
export function inviteButton(button: HTMLButtonElement, dialog: HTMLDialogElement, w: Words): void {
  const image = dialog.querySelector("img") as HTMLImageElement;
  const address = dialog.querySelector(".address") as HTMLElement;
  const close = dialog.querySelector("button") as HTMLButtonElement;
  close.addEventListener("click", () => dialog.close());
  button.addEventListener("click", () => {
    // Asked each time: the server may have been restarted elsewhere meanwhile.
    image.src = `${INVITE_SVG}?t=${Date.now()}`;
    void fetch(INVITE_TEXT)
      .then((response) => response.text())
      .then((text) => {
        address.textContent = text.trim();
        image.alt = w.inviteCode(text.trim());
      })
      .catch(() => {});
    dialog.showModal();
  });
}
