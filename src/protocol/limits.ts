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
  /** A block opened with a line of three backticks whose closing line has not come in this long is dropped (ms). */
  openMs: 5 * 60_000,
} as const;
