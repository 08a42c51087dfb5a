/**
 * The contract between a session and its transport: what session code may do
 * to a connection, whichever kind it is. Bun's TCP (and TLS) socket already
 * has this shape, so a TCP client's connection *is* its socket, with no
 * wrapper and no closure per connection; a WebSocket gets a small adapter
 * (websocket.ts). Session, delivery and commands see only this.
 */

import type { Sink } from "../../net/outbox.ts";

export interface Connection extends Sink {
  /** Stop reading: the peer's further input waits in its transport (TCP pushes back). */
  pause(): void;
  /** Read again after pause(). */
  resume(): void;
  /**
   * Our side is done: what was written goes out, then the peer is told so
   * (TCP FIN; a WebSocket close frame). The close event follows once the
   * peer closes too.
   */
  shutdown(): void;
  /** The peer is done too: close now (after what was written). */
  end(): void;
  /** Abort now: whatever is still owed is lost. */
  terminate(): void;
  /** The peer's address; kept after the close. */
  readonly remoteAddress: string;
  readonly remotePort: number;
}
