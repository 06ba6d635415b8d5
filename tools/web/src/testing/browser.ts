import puppeteer, { type Browser, type Page } from "puppeteer-core"
import { pathToFileURL } from "node:url"
import { chromiumExecutable, chromiumFlags } from "./chromium.ts"

/** Bounds on every wait, so a broken page fails a test instead of hanging it. */
export const LAUNCH_TIMEOUT_MS = 60_000
export const ACTION_TIMEOUT_MS = 15_000

/** A headless Chromium; close it when done (`useBrowser` does, after a test file). */
export const launchBrowser = async (): Promise<Browser> => {
  const { path, env } = await chromiumExecutable()
  return puppeteer.launch({
    executablePath: path,
    args: [...chromiumFlags],
    env,
    headless: true,
    timeout: LAUNCH_TIMEOUT_MS,
    protocolTimeout: LAUNCH_TIMEOUT_MS
  })
}

/** A page and what went wrong in it: uncaught errors, console errors, requests that were made at all. */
export interface OpenedPage {
  readonly page: Page
  /** Uncaught exceptions and `console.error` lines, in order. */
  readonly errors: ReadonlyArray<string>
  /** Every URL the page asked for beyond the document itself; a self-contained page asks for none. */
  readonly requests: ReadonlyArray<string>
}

/** Opens `target` (a URL, or the path of a local file, opened as `file://`) in a new tab of its own size. */
export const openPage = async (
  browser: Browser,
  target: string,
  viewport: { readonly width: number; readonly height: number } = { width: 1400, height: 900 }
): Promise<OpenedPage> => {
  const page = await browser.newPage()
  page.setDefaultTimeout(ACTION_TIMEOUT_MS)
  page.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS)
  await page.setViewport({ ...viewport })
  const errors: Array<string> = []
  const requests: Array<string> = []
  page.on("pageerror", (error) => errors.push(String(error)))
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text())
  })
  const url = /^[a-z]+:/.test(target) ? target : pathToFileURL(target).href
  page.on("request", (request) => {
    if (request.url() !== url && !request.url().startsWith(`${url}#`)) requests.push(request.url())
  })
  await page.goto(url, { waitUntil: "load" })
  return { page, errors, requests }
}

/** Where an element sits on the page, for loose checks of a layout (present, visible, in order), never pixels. */
export interface Box {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** The boxes of every element matching `selector`, in document order. */
export const boxesOf = async (page: Page, selector: string): Promise<ReadonlyArray<Box>> =>
  page.$$eval(selector, (elements) =>
    elements.map((element) => {
      const r = element.getBoundingClientRect()
      return { x: r.x, y: r.y, width: r.width, height: r.height }
    })
  )
