/**
 * Headless Chromium for the web client's tests: the system's Debian package
 * driven by playwright-core, which never downloads a browser. Without
 * /usr/bin/chromium the tests fail with one sentence saying what to install
 * (.ci/run installs it); they are never skipped.
 */

import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

const MISSING =
  "Chromium is not installed: install the Debian package chromium (apt-get install chromium)";

/** One browser for a test file (which closes it); each test takes a fresh context. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(MISSING);
  // launch() gives the browser a fresh temporary profile of its own.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return browser;
}
