import { check, checkParallel } from "@parley/checker"
import { describe, expect, it } from "vitest"
import { twoPhaseModel } from "../src/twophase.ts"
import type { TwoPhaseVariant } from "../src/twophase.ts"

/** The model as each worker thread builds it for itself. */
const source = (rms: number, variant?: TwoPhaseVariant) => ({
  module: new URL("../src/twophase.ts", import.meta.url).href,
  export: "twoPhaseModelFrom",
  input: variant === undefined ? { rms } : { rms, variant }
})

describe("parallel search on worker threads", () => {
  it("finds exactly the states one thread finds, with every sometimes reached", async () => {
    const one = check(twoPhaseModel(6), { strategy: "bfs" })
    const two = await checkParallel(source(6), { strategy: "bfs" }, 2)
    expect(two.result).toBe("ok")
    expect(two.distinctStates).toBe(one.distinctStates)
    expect(two.distinctStates).toBe(50_816)
    expect(two.generatedStates).toBe(one.generatedStates)
    expect(two.maxDepth).toBe(one.maxDepth)
    expect(two.unreached).toEqual([])
  })

  it("counts the same states however the levels are shared, from the first level on", async () => {
    const two = await checkParallel(source(5), { strategy: "bfs" }, 2, 1)
    expect(two.distinctStates).toBe(8832)
    expect(two.unreached).toEqual([])
  })

  it("keeps BFS's shortest counterexample", async () => {
    const one = check(twoPhaseModel(6, "abort-when-prepared"), { strategy: "bfs" })
    // Workers from the first level on, so that the violation is found by one of them.
    const two = await checkParallel(source(6, "abort-when-prepared"), { strategy: "bfs" }, 2, 1)
    expect(two.violation?.property).toBe("TCConsistent")
    expect(two.violation?.path.actionIndices.length).toBe(one.violation?.path.actionIndices.length)
  })
})
