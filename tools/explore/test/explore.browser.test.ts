import { buildTrace, toModel } from "@parley/checker"
import { defaultConfig } from "@parley/core"
import { twoPhaseCommitSpec } from "@parley/twophase"
import { boxesOf, openPage, useBrowser } from "@parley/web/testing"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Page } from "puppeteer-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startExplorer } from "./explorer.ts"

const browser = useBrowser()
let explorer: Awaited<ReturnType<typeof startExplorer>>
beforeAll(async () => {
  explorer = await startExplorer({ spec: "raft", options: {}, init: 0, path: [] })
})
afterAll(() => explorer.close())
const workDir = mkdtempSync(join(tmpdir(), "parley-explore-"))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))

/** Clicks the enabled action whose name matches, and waits for the path to grow by it. */
const take = async (page: Page, name: RegExp): Promise<void> => {
  const steps = await stepsShown(page)
  const buttons = await page.$$("#actions button.take")
  for (const button of buttons) {
    const text = await button.evaluate((element) => element.textContent ?? "")
    if (name.test(text)) {
      await button.click()
      await page.waitForFunction((before) => document.querySelector("#position-label")?.textContent?.includes(`of ${before + 1}`) === true, {}, steps)
      return
    }
  }
  throw new Error(`no action ${name} on the page`)
}

/** How many steps the path on show has, from the viewer's heading ("Step 2 of 2", "Initial state (of 0 steps)"). */
const stepsShown = (page: Page): Promise<number> =>
  page.$eval("#position-label", (element) => Number(/of (\d+)/.exec(element.textContent ?? "")?.[1] ?? "-1"))

/** Chooses `file` in the page's "Open a trace file" input, as a user would. */
const upload = async (page: Page, file: string): Promise<void> => {
  const input = await page.$("input#trace-file")
  if (input === null) throw new Error("the page has no trace file input")
  await input.uploadFile(file)
}

const laneField = (page: Page, lane: string, field: string): Promise<string> =>
  page.$eval(`.lane-state[data-lane="${lane}"] [data-path="${field}"]`, (element) => element.textContent ?? "")

describe("parley explore in a browser", () => {
  it("raft: fires a timer, delivers the MsgVote, shows the vote; back; and the URL lands on the same state", async () => {
    const { page, errors, requests } = await openPage(browser(), explorer.url)
    await page.waitForSelector("#actions button.take")
    expect(await stepsShown(page)).toBe(0)
    await take(page, /^n1 timer election$/)
    expect(await laneField(page, "n1", "role")).toContain("candidate")
    await take(page, /^n2 receives MsgVote .* from n1$/)
    expect(await laneField(page, "n2", "votedFor")).toContain("\"n1\"")
    const shared = page.url()
    expect(new URL(shared).searchParams.get("path")).toMatch(/^\d+\.\d+$/)

    await page.click("#back")
    await page.waitForFunction(() => document.querySelector("#position-label")?.textContent?.includes("of 1") === true)
    expect(new URL(page.url()).searchParams.get("path")).toMatch(/^\d+$/)
    await page.click("#forward")
    await page.waitForFunction(() => document.querySelector("#position-label")?.textContent?.includes("of 2") === true)
    expect(page.url()).toBe(shared)

    const again = await openPage(browser(), shared)
    await again.page.waitForSelector(".lane-state[data-lane=\"n2\"]")
    expect(await stepsShown(again.page)).toBe(2)
    expect(await laneField(again.page, "n2", "votedFor")).toContain("\"n1\"")

    // Loosely placed: the path's swim lanes on the left, the actions and properties beside them on the right.
    const [lanes] = await boxesOf(page, ".path-view")
    const [side] = await boxesOf(page, ".explore-side")
    expect(lanes!.width).toBeGreaterThan(300)
    expect(side!.x).toBeGreaterThanOrEqual(lanes!.x + lanes!.width - 1)
    await page.screenshot({ path: `${process.env["TMPDIR"] ?? "/tmp"}/parley-explore-raft.png` })
    expect(errors).toEqual([])
    expect(requests.every((url) => url.startsWith(explorer.url))).toBe(true)
    await again.page.close()
    await page.close()
  })

  it("2pc: checks from here, opens the counterexample, and shows the invariant it breaks in red", async () => {
    const { page, errors } = await openPage(browser(), new URL("?spec=2pc&variant=no-durable-decision", explorer.url).href)
    await page.waitForSelector("#actions button.take")
    await page.click("#check-start")
    await page.waitForSelector("#open-counterexample", { timeout: 60_000 })
    expect(await page.$eval("#check-status", (element) => element.textContent)).toMatch(/CoordinatorAgrees \(always\) is broken/)
    await page.click("#open-counterexample")
    await page.waitForSelector(".property.broken[data-property=\"CoordinatorAgrees\"]")
    expect(await page.$eval(".property[data-property=\"CoordinatorAgrees\"] .reading", (element) => element.textContent)).toBe("broken here")
    expect(await page.$$eval(".property.reached", (elements) => elements.length)).toBeGreaterThan(0)
    expect(await page.$eval(".verdict.violated", (element) => element.textContent)).toMatch(/CoordinatorAgrees/)
    expect(errors).toEqual([])
    await page.close()
  })

  it("says why a URL's path is no sequence of enabled actions, and shows where the command line started", async () => {
    const { page } = await openPage(browser(), new URL("?spec=2pc&path=0.99", explorer.url).href)
    await page.waitForSelector("#problem:not([hidden])")
    // The page falls back to where the command line started; the title names that spec once it is drawn.
    await page.waitForFunction(() => document.getElementById("explore-title")?.textContent === "parley explore: raft", { timeout: 15_000 })
    expect(await page.$eval("#problem", (element) => element.textContent)).toMatch(/^2pc: step 2 of the path is action #99, but only 8 \(#0–#7\) are enabled after step 1 — showing where parley explore started instead$/)
    expect(await page.$eval("#explore-title", (element) => element.textContent)).toBe("parley explore: raft")
    const unknown = await openPage(browser(), new URL("?spec=nope", explorer.url).href)
    await unknown.page.waitForSelector("#problem:not([hidden])")
    expect(await unknown.page.$eval("#problem", (element) => element.textContent)).toMatch(/^unknown spec "nope"/)
    await unknown.page.close()
    await page.close()
  })
})

describe("a trace file in the explorer", () => {
  it("opens a 2pc counterexample at its last step, in the spec's own configuration, and walks on from there", async () => {
    const config = { ...defaultConfig(twoPhaseCommitSpec), variant: "no-durable-decision" }
    const path = [0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 4, 3]
    const trace = buildTrace(toModel(twoPhaseCommitSpec.build(config)), { spec: "2pc", config, property: { name: "CoordinatorAgrees", kind: "always" } }, { initIndex: 0, actionIndices: path })
    const file = join(workDir, "2pc.trace.json")
    writeFileSync(file, JSON.stringify(trace))
    const { page, errors } = await openPage(browser(), explorer.url)
    await page.waitForSelector("#actions button.take")
    await upload(page, file)
    await page.waitForFunction((steps) => document.querySelector("#position-label")?.textContent?.includes(`of ${steps}`) === true, {}, path.length)
    expect(await page.$eval("#explore-title", (element) => element.textContent)).toBe("parley explore: 2pc")
    expect(new URL(page.url()).searchParams.get("variant")).toBe("no-durable-decision")
    expect(new URL(page.url()).searchParams.get("path")).toBe(path.join("."))
    expect(await page.$eval(".verdict.violated", (element) => element.textContent)).toMatch(/CoordinatorAgrees/)
    expect(await page.$eval(".property[data-property=\"CoordinatorAgrees\"] .reading", (element) => element.textContent)).toBe("broken here")
    expect(errors).toEqual([])
    await page.close()
  })

  it("says what is wrong with a file that is no trace", async () => {
    const file = join(workDir, "notes.json")
    writeFileSync(file, "{\"hello\": 1}")
    const { page } = await openPage(browser(), explorer.url)
    await page.waitForSelector("#actions button.take")
    await upload(page, file)
    await page.waitForSelector("#problem:not([hidden])")
    expect(await page.$eval("#problem", (element) => element.textContent)).toMatch(/^notes\.json: The trace has no "format" field/)
    await page.close()
  })
})
