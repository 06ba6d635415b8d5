// Totals vitest's JSON reports over every workspace into the one closing line
// CI reads: "N passed, N failed". A workspace with a test script but no report
// (its run never happened or crashed) counts as one failure, so a run that
// tested nothing cannot look green.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const { workspaces } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const dirs = workspaces.flatMap((pattern) => {
  const base = pattern.replace(/\/\*$/, "")
  return readdirSync(join(root, base), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, base, entry.name, "package.json")))
    .map((entry) => join(base, entry.name))
})

let passed = 0
let failed = 0
let skipped = 0
for (const dir of dirs) {
  const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"))
  if (manifest.scripts?.test === undefined) continue
  const reportPath = join(root, dir, ".vitest-report.json")
  if (!existsSync(reportPath)) {
    console.log(`${dir}: no test report (its tests did not run to the end)`)
    failed += 1
    continue
  }
  const report = JSON.parse(readFileSync(reportPath, "utf8"))
  const suiteErrors = report.testResults.filter((file) => file.status === "failed" && file.assertionResults.length === 0)
  console.log(
    `${dir}: ${report.numPassedTests} passed, ${report.numFailedTests} failed` +
      (suiteErrors.length > 0 ? `, ${suiteErrors.length} test files failed to load` : "")
  )
  passed += report.numPassedTests
  failed += report.numFailedTests + suiteErrors.length
  skipped += report.numPendingTests + report.numTodoTests
}
console.log(`${passed} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : ""))
