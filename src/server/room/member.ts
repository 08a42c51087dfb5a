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
  lang: Lang;
  /** Speaks protocol version 2 (its dialect carries tags). */
  v2: boolean;
  /** Its address, which other servers learn so that an operator anywhere can ban it. */
  readonly host: string;
  /** An operator of the room (/op): marked "@" in /who, and its lines tagged `op` in version 2. */
  readonly operator?: boolean;
}
