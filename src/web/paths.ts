/**
 * What the page and the server that serves it agree on: where the page's
 * WebSocket connects, where an operator's transcript is downloaded, and the
 * invitation's QR code.
 * Shared by src/web/ and server/transport/http.ts (and session/commands.ts,
 * which gives the transcript's path).
 */

/** Where the page's WebSocket connects. */
export const WEBSOCKET_PATH = "/ws";

/** Where an operator's transcript is downloaded, once: `/transcript?t=TICKET`. */
export const TRANSCRIPT_PATH = "/transcript";

/** The QR code of the page's address as others can open it (the "invite" button). */
export const INVITE_SVG = "/invite.svg";

/** That address as text, shown under the code. */
export const INVITE_TEXT = "/invite.txt";
