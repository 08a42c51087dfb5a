/**
 * A connection as the room sees it: a reader of the log (reader.ts) with a
 * name, a language, a protocol version and an address. The room and its
 * parts (away members, the fan-out's dialects) know members only through
 * this, never a session or a socket.
 */

import type { Lang } from "../../protocol/lang.ts";
import type { Reader } from "./reader.ts";

export interface Member extends Reader {
  name: string;
  /**
   * Its name's key (names.ts nameKey), which the room sets with the name and
   * indexes it by: kept so that a leave does not work it out again (at a
   * mass disconnect, that was the larger part of a leave's cost).
   */
  nameKey: string;
  lang: Lang;
  /** Speaks protocol version 2 (its dialect carries tags). */
  v2: boolean;
  /** Its address, which other servers learn so that an operator anywhere can ban it. */
  readonly host: string;
  /** An operator of the room (/op): marked "@" in /who, and its lines tagged `op` in version 2. */
  readonly operator?: boolean;
}
