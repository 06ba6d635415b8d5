import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { checkScenarioFile } from "../src/testing.ts"

const echo = (command: string): ReadonlyArray<string> => command.split(" ").slice(1)

describe("a scenario file on disk", () => {
  it("describes mismatches by file and line, and rewrites the file with its actual outputs when asked", () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-scenario-"))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const path = join(dir, "echo.txt")
    writeFileSync(path, "say a\n----\nb\n")
    expect(checkScenarioFile(path, echo, false)).toBe("echo.txt:1: say a\n--- expected\nb\n+++ actual\na")
    expect(checkScenarioFile(path, echo, true)).toBe("")
    expect(readFileSync(path, "utf8")).toBe("say a\n----\na\n")
    expect(checkScenarioFile(path, echo, false)).toBe("")
  })
})
