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
