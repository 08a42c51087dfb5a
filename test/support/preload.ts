/**
 * Hooks for every test file (bunfig.toml preloads this): whatever servers and
 * clients a test started through test/support/server.ts are stopped after it.
 * A server a test starts as `bun run server` keeps its room in a folder of
 * the test run's own (XDG_DATA_HOME), never in the user's, even when a
 * test forgets --no-store or --data.
 */

import { afterEach } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopAll } from "./server.ts";

process.env.XDG_DATA_HOME = mkdtempSync(join(tmpdir(), "papo-test-data-"));

afterEach(stopAll);
