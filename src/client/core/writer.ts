/**
 * The client's outgoing bytes: the shared Outbox (short writes kept, flushed
 * on drain, never reordered) plus a way to wait until it is empty. A person
 * types far slower than any socket, so there is no cap; piped mode, which can
 * outrun the socket, waits for the queue to empty before it reads more input.
 */

import { Outbox, type Sink } from "../../net/outbox.ts";

export type { Sink };

export class WriteQueue extends Outbox {
  private waiters: Array<() => void> = [];

  constructor(sink: Sink) {
    super(sink, Number.POSITIVE_INFINITY);
  }

  /** Resolves once everything queued so far has been handed to the socket. */
  drained(): Promise<void> {
    if (this.backlog === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  override flush(): boolean {
    const done = super.flush();
    if (done) this.wake();
    return done;
  }

  /** Forget the backlog (the socket is gone) and release anyone waiting. */
  override dropBacklog(): void {
    super.dropBacklog();
    this.wake();
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
