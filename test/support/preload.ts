/**
 * Hooks for every test file (bunfig.toml preloads this): whatever servers and
 * clients a test started through test/support/server.ts are stopped after it.
 */

import { afterEach } from "bun:test";
import { stopAll } from "./server.ts";

afterEach(stopAll);
