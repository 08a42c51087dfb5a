/**
 * Limits that are part of the protocol's contract rather than tunables: a
 * client may rely on them (docs/protocol.md).
 */

/** Protocol constants that are part of the contract rather than tunables. */
export const PROTOCOL = {
  /** Longest name, in Unicode code points. */
  maxNameLength: 24,
  /** Names listed in the welcome line. */
  welcomeNames: 20,
  /** Names listed by /who before "and K more". */
  whoNames: 50,
} as const;

/**
 * A block: several lines said as one message (code, a poem), bounded so that
 * one message never floods the room or its history (docs/protocol.md, "Blocks").
 */
export const BLOCK = {
  /** Lines in one block, blank ones included. */
  maxLines: 100,
  /** Bytes of a block's lines in UTF-8, one newline between each. */
  maxBytes: 16_384,
  /** A block whose last line has not come in this long is dropped (ms). */
  openMs: 5 * 60_000,
  /** Flood control: a block of up to this many lines (and freeBytes) costs one message. */
  freeLines: 20,
  /** Flood control: a block of up to this many bytes (and freeLines) costs one message. */
  freeBytes: 2048,
  /** Flood control: one token more per this many lines past freeLines… */
  linesPerToken: 10,
  /** …or per this many bytes past freeBytes, whichever costs more. */
  bytesPerToken: 1024,
} as const;
