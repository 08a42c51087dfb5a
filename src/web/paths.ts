/**
 * What the page and the server that serves it agree on: where the page's
 * WebSocket connects. Shared by src/web/app.ts and server/transport/http.ts.
 */

/** Where the page's WebSocket connects. */
export const WEBSOCKET_PATH = "/ws";
