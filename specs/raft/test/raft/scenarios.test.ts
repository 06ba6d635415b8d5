/**
 * Runs every scenario in test/raft/scenarios/ (see harness/commands.ts for the
 * commands). `REWRITE=1 npx vitest run test/raft/scenarios.test.ts` writes the
 * actual outputs back into the files, as etcd's `-rewrite` does: read the
 * diff before committing it, for every changed line is a claim about Raft.
 */
import { checkScenarioFile } from "@parley/checker/testing"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { Interpreter } from "./harness/commands.ts"

const directory = join(import.meta.dirname, "scenarios")
const files = readdirSync(directory).filter((name) => name.endsWith(".txt")).sort()
const rewrite = process.env["REWRITE"] === "1"

describe("Raft reducer scenarios", () => {
  it("finds the scenario files", () => {
    expect(files.length).toBeGreaterThan(0)
  })

  for (const file of files) {
    it(file, () => {
      const interpreter = new Interpreter()
      expect(checkScenarioFile(join(directory, file), (command) => interpreter.run(command), rewrite)).toBe("")
    })
  }
})
