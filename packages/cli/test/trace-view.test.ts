import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { TraceView, TRACE_DATA_ID } from "@parley/web"
import { Schema } from "effect"
import { afterAll, describe, expect, it } from "vitest"

const bin = fileURLToPath(new URL("../bin/parley.mjs", import.meta.url))
const workDir = mkdtempSync(join(tmpdir(), "parley-view-"))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))

const parley = (...args: ReadonlyArray<string>): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: workDir, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    })
  })

/** The view a page embeds, decoded. */
const embeddedView = (page: string) => {
  const match = new RegExp(`<script type="application/json" id="${TRACE_DATA_ID}">(.*?)</script>`, "s").exec(page)
  return Schema.decodeUnknownSync(TraceView)(JSON.parse(match?.[1] ?? "null"))
}

describe("parley trace view", () => {
  it("is suggested after a violation, and writes the page beside the trace or where --out says", async () => {
    const traceFile = join(workDir, "2pc.trace.json")
    const check = await parley("check", "2pc", "--variant", "no-durable-decision", "--workers", "1", "--trace-out", traceFile)
    expect(check.code).toBe(1)
    expect(check.stdout).toContain(`parley trace view ${traceFile}`)

    const view = await parley("trace", "view", traceFile)
    expect(view.code).toBe(0)
    const pageFile = join(workDir, "2pc.html")
    expect(view.stdout.trim()).toBe(pageFile)
    const page = readFileSync(pageFile, "utf8")
    expect(page).toMatch(/^<!doctype html>/)
    expect(page).toContain("default-src 'none'")
    expect(page).not.toMatch(/<script[^>]+src=|<link /)
    const embedded = embeddedView(page)
    expect(embedded.verdict).toMatchObject({ name: "CoordinatorAgrees", kind: "always", brokenAt: 13 })
    expect(embedded.steps).toHaveLength(13)

    const out = join(workDir, "elsewhere.html")
    const elsewhere = await parley("trace", "view", traceFile, "--out", out)
    expect([elsewhere.code, elsewhere.stdout.trim()]).toEqual([0, out])
    expect(embeddedView(readFileSync(out, "utf8")).verdict?.name).toBe("CoordinatorAgrees")
  })

  it("exits 2 on a file that is not a trace, saying why, and writes nothing", async () => {
    const bad = join(workDir, "bad.json")
    writeFileSync(bad, JSON.stringify({ format: "parley-trace/1", spec: "2pc" }))
    const view = await parley("trace", "view", bad)
    expect(view.code).toBe(2)
    expect(view.stderr).toMatch(/does not match the parley-trace\/1 schema/)
    expect(existsSync(join(workDir, "bad.html"))).toBe(false)
    const missing = await parley("trace", "view", "no-such.trace.json")
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no-such\.trace\.json" does not exist/)
  })
})
