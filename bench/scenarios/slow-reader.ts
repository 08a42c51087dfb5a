/**
 * Slow reader: a room flood plus one client that never reads. The readers
 * must still get every line at close to the rate of the same flood without a
 * slow reader (run after it, as a control), the slow client must be evicted once
 * its backlog passes the server's cap, and the server's memory must stay
 * bounded by that cap rather than by the size of the flood.
 */

import {
  EVICTED_WITHIN_MS,
  SLOW_RSS_CAP_FACTOR,
  SLOW_RSS_SLACK_BYTES,
  WARM_UP_FRACTION,
  WHO_TIMEOUT_MS,
} from "../config.ts";
import { take } from "../loadgen/pool.ts";
import { rssBytes } from "../proc.ts";
import { bytes, rate } from "../report/format.ts";
import { type Context, connectAll, flood, record, type Sizes, withServer } from "./harness.ts";
import { emptyResult, type Result } from "./result.ts";

export function slowReader(s: Sizes<"slow-reader">, ctx: Context): Promise<Result> {
  const cap = s["queue-kib"] * 1024;
  const total = s.clients + 1;
  const options = { maxClients: total + 16, maxQueueBytes: cap };
  return withServer("slow-reader", "papo", options, ctx, async (setup) => {
    const { pool, server } = setup;
    const result = emptyResult("slow-reader", "papo", total);
    const readers = (await connectAll(setup, s.clients, "r")).group;
    // The slow client's share is never expected: it is meant to be cut off.
    const senders = Math.min(s.senders, s.clients);
    const expected = senders * s.messages * (s.clients - 1);
    const plan = {
      senders: take(readers, senders),
      messages: s.messages,
      bytes: s.bytes,
      expected,
      clients: total,
      counted: readers,
    };
    // A tenth of the flood first, unmeasured, so that neither measured flood pays for warm-up.
    const warmMessages = Math.ceil(s.messages / WARM_UP_FRACTION);
    await flood(setup, {
      ...plan,
      messages: warmMessages,
      expected: senders * warmMessages * (s.clients - 1),
    });
    // Joins only now: had it read during the warm-up, the kernel would have grown its
    // receive buffer to megabytes, all of which would fill before the server's cap.
    const slow = take((await connectAll(setup, 1, "slow")).group, 1);
    await pool.each(slow, "pause");
    const rssBefore = rssBytes(server.pid);
    const outcome = await flood(setup, plan);
    record(result, outcome, expected);
    result.shape = `${senders} × ${s.messages} lines of ${s.bytes} B to ${s.clients} clients and one that never reads`;

    await pool.each(slow, "resume");
    const evicted = (await pool.closed(slow, EVICTED_WITHIN_MS)) === 1;
    const slowGot = (await pool.count(slow)).lines;
    const members = await pool.who(readers, WHO_TIMEOUT_MS);
    // Control: the same flood once the slow client is gone, for the rate to compare with.
    const control = await flood(setup, plan);
    if (control.received !== expected) {
      result.failures.push(`control flood: ${expected - control.received} lines lost`);
    }
    const growth = outcome.peakRss - rssBefore;
    const bound = cap * SLOW_RSS_CAP_FACTOR + SLOW_RSS_SLACK_BYTES;

    if (!evicted) result.failures.push("the slow reader was not evicted");
    if (members !== s.clients) {
      result.failures.push(`/who counts ${members} members, expected ${s.clients}`);
    }
    if (growth > bound) {
      result.failures.push(`server memory grew by ${bytes(growth)}, more than ${bytes(bound)}`);
    }
    const relative = control.rate > 0 ? outcome.rate / control.rate : 0;
    Object.assign(result.extra, {
      controlRate: control.rate,
      rateVsControl: relative,
      queueCapBytes: cap,
      slowEvicted: evicted ? 1 : 0,
      slowLinesBeforeEviction: slowGot,
      rssBeforeBytes: rssBefore,
      rssPeakBytes: outcome.peakRss,
    });
    result.figures.push(
      [
        "slow reader",
        evicted ? `evicted after ${slowGot.toLocaleString("en-US")} lines` : "NOT evicted",
      ],
      ["queue cap", bytes(cap)],
      [
        "readers' rate",
        `${rate(outcome.rate)}, ${Math.round(relative * 100)}% of the same flood with no slow reader (${rate(control.rate)})`,
      ],
      ["server RSS", `${bytes(rssBefore)} before, ${bytes(outcome.peakRss)} at peak`],
    );
    return result;
  });
}
