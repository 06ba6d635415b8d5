import type { TraceFile } from "@parley/core"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Page } from "puppeteer-core"
import { afterAll, describe, expect, it } from "vitest"
import { renderTracePage } from "../src/index.ts"
import { boxesOf, openPage, useBrowser } from "../src/testing/index.ts"
import { asLasso, ringTrace, twoPhaseTrace } from "./fixtures.ts"

const browser = useBrowser()
const workDir = mkdtempSync(join(tmpdir(), "parley-web-"))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))

/** Writes the page of a trace to a file and opens it from `file://`, as a user would. */
const openTrace = async (trace: TraceFile, name: string, hash = "") => {
  const file = join(workDir, `${name}.html`)
  writeFileSync(file, await renderTracePage(trace))
  const opened = await openPage(browser(), `file://${file}${hash}`)
  await opened.page.waitForSelector("#position-label")
  return opened
}

const text = (page: Page, selector: string): Promise<string> => page.$eval(selector, (element) => element.textContent ?? "")
const texts = (page: Page, selector: string): Promise<ReadonlyArray<string>> =>
  page.$$eval(selector, (elements) => elements.map((element) => element.textContent ?? ""))
const count = (page: Page, selector: string): Promise<number> => page.$$eval(selector, (elements) => elements.length)
const press = async (page: Page, key: "ArrowLeft" | "ArrowRight" | "Home" | "End", times = 1) => {
  for (let i = 0; i < times; i++) await page.keyboard.press(key)
}
const selectedRow = (page: Page): Promise<string | null> =>
  page.$eval(".row.selected", (row) => row.getAttribute("data-position"))

describe("the page of a 2pc counterexample", () => {
  const crashAt = twoPhaseTrace.steps.findIndex((step) => step.event._tag === "Crash") + 1

  it("opens from file:// with nothing fetched and no error, at the initial state, with a lane per node and client", async () => {
    const { page, errors, requests } = await openTrace(twoPhaseTrace, "2pc")
    expect(errors).toEqual([])
    expect(requests).toEqual([])
    expect(await text(page, "#position-label")).toBe("Initial state (of 13 steps)")
    expect(await texts(page, ".lane-name")).toEqual(["coordinator", "p1", "p2", "p3", "client"])
    expect(await count(page, ".row")).toBe(14)
    expect(await text(page, ".verdict")).toContain("violates CoordinatorAgrees (always)")
    // An arrow per delivered message, a mark for each timer, the crash and the restart.
    expect(await count(page, ".arrow")).toBe(8)
    expect(await count(page, ".mark.timer")).toBe(3)
    expect(await count(page, ".row.broken")).toBe(1)
    await page.close()
  })

  it("steps with the keyboard to the crash and shows the coordinator going down, then coming back", async () => {
    const { page } = await openTrace(twoPhaseTrace, "2pc-keys")
    await press(page, "ArrowRight")
    expect(await text(page, "#position-label")).toBe("Step 1 of 13")
    expect(await text(page, ".step-info .action")).toBe("coordinator receives Begin from client")
    // What the step changed is highlighted with its old value; a lane it did not touch is not.
    expect(await text(page, `.lane-state[data-lane="coordinator"] li.changed[data-path="phase"] .was`)).toBe(`"idle"`)
    expect(await count(page, `.lane-state[data-lane="p1"] .changed, .lane-state[data-lane="p1"] .added`)).toBe(0)
    expect(await texts(page, ".in-flight li.new .route")).toEqual(["coordinator → p1", "coordinator → p2", "coordinator → p3"])

    await press(page, "ArrowRight", crashAt - 1)
    expect(await text(page, "#position-label")).toBe(`Step ${crashAt} of 13`)
    expect(await selectedRow(page)).toBe(String(crashAt))
    expect(await count(page, `.row.selected .mark.crash`)).toBe(1)
    expect(await text(page, `.lane-state[data-lane="coordinator"] h3`)).toContain("DOWN")
    expect(await count(page, `.lane-state[data-lane="coordinator"] li.added[data-path="down"]`)).toBe(1)
    expect(await count(page, `.lifeline.down`)).toBeGreaterThan(0)

    await press(page, "ArrowRight")
    expect(await text(page, `.lane-state[data-lane="coordinator"] h3`)).not.toContain("DOWN")
    expect(await text(page, ".step-info .broken-note")).toBe("✗ CoordinatorAgrees does not hold after step 13")
    await press(page, "ArrowRight")
    expect(await text(page, "#position-label")).toBe("Step 13 of 13")
    await press(page, "Home")
    expect(await selectedRow(page)).toBe("0")
    await press(page, "End")
    expect(await selectedRow(page)).toBe("13")
    await press(page, "ArrowLeft", 2)
    expect(await text(page, "#position-label")).toBe("Step 11 of 13")
    await page.close()
  })

  it("moves by the slider, by a click on a row, by the verdict's button and by the URL", async () => {
    const { page } = await openTrace(twoPhaseTrace, "2pc-moves", "#step-5")
    expect(await text(page, "#position-label")).toBe("Step 5 of 13")
    await page.click(`.row[data-position="8"] .row-bg`)
    expect(await text(page, "#position-label")).toBe("Step 8 of 13")
    expect(page.url()).toMatch(/#step-8$/)
    await page.click(".go-broken")
    expect(await text(page, "#position-label")).toBe("Step 13 of 13")
    await page.$eval(".slider", (slider) => {
      if (!(slider instanceof HTMLInputElement)) throw new Error("the slider is not an input")
      slider.value = "3"
      slider.dispatchEvent(new Event("input"))
    })
    expect(await text(page, "#position-label")).toBe("Step 3 of 13")
    await page.close()
  })

  it("filters by node: hidden lanes leave the diagram and the state, and stepping skips their steps", async () => {
    const { page } = await openTrace(twoPhaseTrace, "2pc-filter")
    for (const lane of ["p2", "p3", "client"]) await page.click(`.filter input[data-lane="${lane}"]`)
    expect(await texts(page, ".lane-name")).toEqual(["coordinator", "p1"])
    expect(await texts(page, ".lane-state h3")).toEqual(expect.arrayContaining([expect.stringContaining("coordinator"), expect.stringContaining("p1")]))
    expect(await count(page, ".lane-state")).toBe(2)
    // Steps 7 and 9 (p2's and p3's votes) happen at hidden lanes only: folded, and skipped from 6 to 8.
    expect(await page.$$eval(".row.folded", (rows) => rows.map((row) => row.getAttribute("data-position")))).toEqual(["7", "9"])
    await press(page, "ArrowRight", 7)
    expect(await text(page, "#position-label")).toBe("Step 8 of 13")
    await page.click(`.filter input[data-lane="p2"]`)
    expect(await texts(page, ".lane-name")).toEqual(["coordinator", "p1", "p2"])
    await page.close()
  })

  it("lays out the header above, the lanes left of the details, every lane's column in order", async () => {
    const { page } = await openTrace(twoPhaseTrace, "2pc-layout")
    await press(page, "ArrowRight", 5)
    const [header] = await boxesOf(page, "header")
    const [lanes] = await boxesOf(page, ".lanes-pane")
    const [details] = await boxesOf(page, ".detail-pane")
    const names = await boxesOf(page, ".lane-name")
    const shot = join(workDir, "2pc.png")
    await page.screenshot({ path: shot })
    expect(header!.y + header!.height).toBeLessThanOrEqual(lanes!.y + 1)
    expect(lanes!.x + lanes!.width).toBeLessThanOrEqual(details!.x + 1)
    expect(lanes!.width).toBeGreaterThan(300)
    expect(details!.width).toBeGreaterThan(300)
    expect(names.map((box) => box.x)).toEqual([...names.map((box) => box.x)].sort((a, b) => a - b))
    expect(names.every((box) => box.y >= lanes!.y && box.width > 0)).toBe(true)
    await page.close()
  })
})

describe("a lasso", () => {
  it("marks the loop in the diagram and in the steps inside it", async () => {
    const { page, errors } = await openTrace(asLasso(twoPhaseTrace, 10), "lasso")
    expect(errors).toEqual([])
    expect(await count(page, ".loop-mark")).toBe(1)
    expect(await text(page, ".verdict")).toContain("eventually")
    await press(page, "ArrowRight", 11)
    expect(await text(page, ".loop-note")).toBe("in the loop: steps 11–13 repeat forever")
    await page.close()
  })
})

describe("a long trace", () => {
  it("opens, draws every row and steps through, timed for the record", async () => {
    const steps = 600
    const started = performance.now()
    const { page, errors } = await openTrace(ringTrace(6, steps), "ring")
    const opened = performance.now()
    await page.waitForFunction((rows) => document.querySelectorAll(".row").length === rows, {}, steps + 1)
    const drawn = performance.now()
    await press(page, "ArrowRight", 100)
    const stepped = performance.now()
    await press(page, "End")
    expect(await text(page, "#position-label")).toBe(`Step ${steps} of ${steps}`)
    expect(await selectedRow(page)).toBe(String(steps))
    expect(errors).toEqual([])
    console.log(
      `trace page, ${steps} steps × 6 nodes: written and opened in ${Math.round(opened - started)} ms, ` +
        `every row drawn after ${Math.round(drawn - started)} ms, 100 steps by keyboard in ${Math.round(stepped - drawn)} ms ` +
        `(${((stepped - drawn) / 100).toFixed(1)} ms a step, including the round trip to the browser)`
    )
    await page.close()
  })
})
