/**
 * Browser tests for any workspace: a headless Chromium that `npm ci`
 * installs, one per test file, and helpers to open a page and read it.
 */
export { ACTION_TIMEOUT_MS, boxesOf, type Box, LAUNCH_TIMEOUT_MS, launchBrowser, type OpenedPage, openPage } from "./browser.ts"
export { chromiumExecutable, chromiumFlags } from "./chromium.ts"
export { useBrowser } from "./vitest.ts"
