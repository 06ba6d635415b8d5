import type { Browser } from "puppeteer-core"
import { afterAll, beforeAll } from "vitest"
import { LAUNCH_TIMEOUT_MS, launchBrowser } from "./browser.ts"

/**
 * One browser for a whole test file: launched before its first test, closed
 * after its last, so a failing test leaves no Chromium behind. Returns the
 * getter the tests call.
 */
export const useBrowser = (): (() => Browser) => {
  let browser: Browser | undefined
  beforeAll(async () => {
    browser = await launchBrowser()
  }, LAUNCH_TIMEOUT_MS)
  afterAll(async () => {
    await browser?.close()
  }, LAUNCH_TIMEOUT_MS)
  return () => {
    if (browser === undefined) throw new Error("the browser is not running: call useBrowser() at the top of the test file")
    return browser
  }
}
