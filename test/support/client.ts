/** Options for an in-process client link in tests: quick timeouts and reconnects, no terminal. */

import type { ClientOptions } from "../../src/client/options.ts";
import { STRINGS } from "../../src/client/strings.ts";
import { CLIENT_DEFAULTS, type ClientConfig } from "../../src/config.ts";

/** Reconnect fast and without jitter, so tests can count the tries. */
export const FAST = { firstMs: 50, maxMs: 200, factor: 2, jitter: 0 };

export function optionsFor(
  port: number,
  more: Partial<ClientOptions> = {},
  config: Partial<ClientConfig> = {},
): ClientOptions {
  return {
    config: {
      ...CLIENT_DEFAULTS,
      port,
      connectTimeoutMs: 1000,
      quitWaitMs: 300,
      reconnect: FAST,
      ...config,
    },
    name: undefined,
    lang: "en",
    strings: STRINGS.en,
    langChosen: true,
    color: false,
    bell: false,
    password: undefined,
    passwordEnv: "PAPO_ROOM_PASSWORD",
    historyFile: null,
    interactive: true,
    ...more,
  };
}
