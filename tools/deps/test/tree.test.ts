/**
 * The repository keeps the dependency rules (src/rules.ts). A violation
 * fails here with the rule, the importing file and the import; the ones the
 * tree had when the rules came in are listed in known-violations.json until
 * they are fixed.
 */
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { describeViolation, findViolations, type Violation } from "../src/cruise.ts"
import { compareWithKnown, type Comparison, readKnownViolations } from "../src/known-violations.ts"

const repositoryRoot = join(import.meta.dirname, "..", "..", "..")

describe("the repository's imports", () => {
  let comparison: Comparison

  beforeAll(async () => {
    const violations: ReadonlyArray<Violation> = await findViolations(repositoryRoot)
    comparison = compareWithKnown(violations, readKnownViolations())
  })

  it("keep the dependency rules", () => {
    expect(comparison.fresh.map(describeViolation), "imports that break the rules of tools/deps/src/rules.ts").toEqual([])
  })

  it("still break every rule known-violations.json lists (remove the entries that were fixed)", () => {
    expect(comparison.stale, "entries of tools/deps/known-violations.json that no longer occur").toEqual([])
  })
})
