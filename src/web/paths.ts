/**
 * What the page and the server that serves it agree on: where the page's
 * WebSocket connects, and where an operator's transcript is downloaded.
 * Shared by src/web/ and server/transport/http.ts (and session/commands.ts,
 * which gives the transcript's path).
 */

/** Where the page's WebSocket connects. */
export const WEBSOCKET_PATH = "/ws";

/** Where an operator's transcript is downloaded, once: `/transcript?t=TICKET`. */
export const TRANSCRIPT_PATH = "/transcript";
