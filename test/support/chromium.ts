/**
 * The one way the tests start a browser: Debian's Chromium (playwright's own
 * download cannot reach its servers here), headless, with nothing that
 * reaches the network on its own. Playwright gives each launch a fresh
 * profile directory of its own (it refuses a --user-data-dir flag), so no
 * state carries between runs.
 */
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";

/** Where .ci/run installs Chromium (apt-get install chromium). */
export const CHROMIUM = "/usr/bin/chromium";

/** The flags of every launch. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Launches headless Chromium, or throws a sentence that says how to install it.
 *
 * @example
 * const browser = await launchChromium();
 * const page = await browser.newPage();
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`the browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}
