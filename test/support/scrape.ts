/** Reads a papo server's /metrics, /healthz and /readyz for tests, as numbers and JSON. */

/** Every sample of a /metrics answer, by its series ("papo_members{transport=\"ws\"}"). */
export type Samples = Map<string, number>;

/** GET `path` on 127.0.0.1:`port`. */
export function get(port: number, path: string, headers: Record<string, string> = {}) {
  return fetch(`http://127.0.0.1:${port}${path}`, { headers });
}

/** The samples of the text format. */
export function samples(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** Scrape /metrics (it must answer 200). */
export async function scrape(port: number, headers: Record<string, string> = {}): Promise<Samples> {
  const response = await get(port, "/metrics", headers);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${text}`);
  return samples(text);
}

/** One sample's value; a series that is not there fails the test that reads it. */
export function value(s: Samples, series: string): number {
  const v = s.get(series);
  if (v === undefined) throw new Error(`no series ${series}`);
  return v;
}
