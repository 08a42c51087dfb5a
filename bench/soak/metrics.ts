/**
 * The server's own figures, from its Prometheus endpoint (`GET /metrics` on
 * the web port, open to loopback): heap in use and event-loop delay p99, from
 * prom-client's default metrics. RSS and descriptors are read from /proc
 * instead (proc.ts), so they do not depend on the endpoint.
 */

/** The metrics the soak reads, by their Prometheus names. */
export const HEAP_USED = "nodejs_heap_size_used_bytes";
export const LOOP_P99 = "nodejs_eventloop_lag_p99_seconds";
export const RESIDENT = "process_resident_memory_bytes";

/** How long a scrape may take before it counts as no answer (ms). */
const SCRAPE_TIMEOUT_MS = 2000;

/**
 * The value of each unlabelled sample in a Prometheus text exposition
 * (`name value [timestamp]`); comments and labelled samples are skipped. Pure.
 */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const [name, value] = line.trim().split(/\s+/, 2);
    if (name === undefined || value === undefined || name.includes("{")) continue;
    const n = Number(value);
    if (!Number.isNaN(n)) out.set(name, n);
  }
  return out;
}

/** What one scrape gave: the figures, or why there are none. */
export type Scrape =
  | { ok: true; heapBytes: number | null; loopP99Ms: number | null; rssBytes: number | null }
  | { ok: false; why: string };

/** Scrape `http://host:port/metrics`. Never throws: a server without the endpoint says so. */
export async function scrape(host: string, port: number): Promise<Scrape> {
  try {
    const response = await fetch(`http://${host}:${port}/metrics`, {
      signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS),
    });
    if (response.status === 404) return { ok: false, why: "the server has no /metrics (404)" };
    if (!response.ok) return { ok: false, why: `/metrics answered HTTP ${response.status}` };
    const m = parseMetrics(await response.text());
    const loop = m.get(LOOP_P99);
    return {
      ok: true,
      heapBytes: m.get(HEAP_USED) ?? null,
      loopP99Ms: loop === undefined ? null : loop * 1000,
      rssBytes: m.get(RESIDENT) ?? null,
    };
  } catch (error) {
    return { ok: false, why: `/metrics could not be read: ${(error as Error).message}` };
  }
}
