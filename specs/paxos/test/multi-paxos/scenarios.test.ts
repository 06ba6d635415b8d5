/**
 * Runs every scenario in test/multi-paxos/scenarios/ (commands in
 * harness/cluster.ts). `REWRITE=1 npx vitest run
 * test/multi-paxos/scenarios.test.ts` writes the actual outputs back into
 * the files, as etcd's `-rewrite` does: read the diff before committing it,
 * for every changed line is a claim about Multi-Paxos.
 */
import { checkScenarioFile } from "@parley/checker/testing"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { Cluster } from "./harness/cluster.ts"

const directory = join(import.meta.dirname, "scenarios")
const files = readdirSync(directory).filter((name) => name.endsWith(".txt")).sort()
const rewrite = process.env["REWRITE"] === "1"

describe("Multi-Paxos reducer scenarios", () => {
  it("finds the scenario files", () => {
    expect(files.length).toBeGreaterThan(0)
  })

  for (const file of files) {
    it(file, () => {
      const cluster = new Cluster()
      expect(checkScenarioFile(join(directory, file), (command) => cluster.run(command), rewrite)).toBe("")
    })
  }
})
