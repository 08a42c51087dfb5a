/**
 * The state papo keeps for one connection (Bun's socket.data): small, typed,
 * and free of closures so that ten thousand idle clients stay cheap.
 */

import type { Socket } from "bun";
import { hostPort } from "../net/address.ts";
import { Outbox } from "../net/outbox.ts";
import { LineDecoder } from "../protocol/lines.ts";
import type { Recipient } from "./fanout.ts";
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

/**
 * NOTE: a Client *is* its socket's Outbox (subclass rather than a field) so
 * that each connection costs one object less: at 10,000 connections every
 * object header shows in the memory per connection.
 */
export class Client extends Outbox<Socket<Client>> implements Recipient {
  phase: Phase = "naming";
  /** Set once the room accepts a name. */
  name = "";
  readonly decoder: LineDecoder;
  readonly bucket: TokenBucket;
  /** Name deadline while naming, flush deadline while closing. */
  timer: ReturnType<typeof setTimeout> | null = null;
  /** Why the server ended this connection, for the operator log. */
  endReason = "";
  /** Kept because Bun forgets it once the socket closes (the address it keeps). */
  private readonly remotePort: number;

  constructor(
    socket: Socket<Client>,
    limits: { maxLineBytes: number; maxQueueBytes: number; rateLimit: number; rateBurst: number },
    now: number,
  ) {
    super(socket, limits.maxQueueBytes);
    this.remotePort = socket.remotePort;
    this.decoder = new LineDecoder(limits.maxLineBytes);
    this.bucket = new TokenBucket(limits.rateLimit, limits.rateBurst, now);
  }

  get socket(): Socket<Client> {
    return this.sink;
  }

  /**
   * "host:port" of the peer, for the log. Read from the socket when asked
   * rather than stored: most connections are never logged (--quiet).
   */
  get address(): string {
    return hostPort(this.sink.remoteAddress, this.remotePort);
  }

  clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
