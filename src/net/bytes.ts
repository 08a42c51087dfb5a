/** Byte helpers shared by the outbox, the fan-out and the tests. Pure. */

/** Concatenate byte chunks into one new buffer. */
export function concatBytes(chunks: readonly Uint8Array[], total?: number): Uint8Array {
  let size = total ?? 0;
  if (total === undefined) for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
