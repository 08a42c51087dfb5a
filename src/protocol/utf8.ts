/**
 * UTF-8 into and out of part of a byte array, without making a view of the
 * part first. Bun's Buffer methods take any Uint8Array as `this` and an
 * offset; a subarray per line costs as much as the encoding itself (about
 * 30 ns of the 45 that encodeInto into a fresh subarray takes; 15 ns this
 * way), and the fan-out and the decoder do this once for every line.
 * Where a runtime lacks them, the standard TextEncoder and TextDecoder do it.
 */

interface Native {
  utf8Write(this: Uint8Array, text: string, offset: number): number;
  utf8Slice(this: Uint8Array, start: number, end: number): string;
}

const native = Buffer.prototype as unknown as Partial<Native>;
const write = typeof native.utf8Write === "function" ? native.utf8Write : null;
const slice = typeof native.utf8Slice === "function" ? native.utf8Slice : null;
const encoder = new TextEncoder();
// Keeps a byte order mark, as utf8Slice does (and the decoder's strict reading).
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Write `text` as UTF-8 into `bytes` from `at`; returns the bytes written.
 * The caller makes room first: up to 3 bytes per UTF-16 unit. A lone
 * surrogate becomes U+FFFD, as TextEncoder writes it.
 */
export function utf8Into(bytes: Uint8Array, text: string, at: number): number {
  if (write !== null) return write.call(bytes, text, at);
  return encoder.encodeInto(text, bytes.subarray(at)).written;
}

/** The text of bytes[from, to) read as UTF-8, each invalid sequence as U+FFFD. */
export function utf8Lenient(bytes: Uint8Array, from: number, to: number): string {
  if (slice !== null) return slice.call(bytes, from, to);
  return decoder.decode(bytes.subarray(from, to));
}
