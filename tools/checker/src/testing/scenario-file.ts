/**
 * A scenario file run from disk: core parses and runs the text (it does no
 * I/O); a spec's tests read the file, compare, and rewrite it when asked.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { basename } from "node:path"
import { describeMismatch, runScenario } from "@parley/core"

/**
 * Runs the scenario file at `path`: every mismatch described, or "" when
 * the file holds. With `rewrite` the actual outputs are written back
 * instead, for a person to read in the diff before committing it.
 */
export const checkScenarioFile = (path: string, run: (command: string) => ReadonlyArray<string>, rewrite: boolean): string => {
  const text = readFileSync(path, "utf8")
  const result = runScenario(text, run)
  if (rewrite) {
    if (result.actualText !== text) writeFileSync(path, result.actualText)
    return ""
  }
  return result.mismatches.map((mismatch) => describeMismatch(basename(path), mismatch)).join("\n\n")
}
