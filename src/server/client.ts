/**
 * The state papo keeps for one connection (Bun's socket.data): small, typed,
 * and free of closures so that ten thousand idle clients stay cheap.
 */

import type { Socket } from "bun";
import { LineDecoder } from "../protocol/lines.ts";
import type { Recipient } from "./fanout.ts";
import { Outbox, type Sent } from "./outbox.ts";
import { TokenBucket } from "./ratelimit.ts";

export type Phase =
  /** Connected, choosing a name. */
  | "naming"
  /** In the room. */
  | "joined"
  /** Saying goodbye: nothing more is read, the outbox drains, then the socket ends. */
  | "closing"
  /** The socket is gone. */
  | "closed";

export class Client implements Recipient {
  phase: Phase = "naming";
  /** Set once the room accepts a name. */
  name = "";
  readonly outbox: Outbox;
  readonly decoder: LineDecoder;
  readonly bucket: TokenBucket;
  /** Name deadline while naming, flush deadline while closing. */
  timer: ReturnType<typeof setTimeout> | null = null;
  /** Why the server ended this connection, for the operator log. */
  endReason = "";

  constructor(
    readonly socket: Socket<Client>,
    readonly address: string,
    limits: { maxLineBytes: number; maxQueueBytes: number; rateLimit: number; rateBurst: number },
    now: number,
  ) {
    this.outbox = new Outbox(socket, limits.maxQueueBytes);
    this.decoder = new LineDecoder(limits.maxLineBytes);
    this.bucket = new TokenBucket(limits.rateLimit, limits.rateBurst, now);
  }

  send(bytes: Uint8Array): Sent {
    return this.outbox.send(bytes);
  }

  clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
