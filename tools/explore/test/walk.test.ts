import { buildTrace, check, toModel } from "@parley/checker"
import { defaultConfig } from "@parley/core"
import { twoPhaseCommitSpec } from "@parley/twophase"
import { describe, expect, it } from "vitest"
import { ModelCache } from "../src/catalog.ts"
import { parsePath } from "../src/location.ts"
import { walkTrace } from "../src/trace-walk.ts"
import { walk } from "../src/walk.ts"
import { testCatalog } from "./fixture.ts"

const model = toModel(twoPhaseCommitSpec.build(defaultConfig(twoPhaseCommitSpec)))

describe("walk", () => {
  it("replays a path into its states, one per step", () => {
    const walked = walk(model, 0, [0, 0])
    if (typeof walked === "string") throw new Error(walked)
    expect(walked.states).toHaveLength(3)
    expect(walked.actions).toHaveLength(2)
  })

  it("names the step that is no enabled action, and what is enabled there", () => {
    expect(walk(model, 0, [0, 99])).toBe("step 2 of the path is action #99, but only 8 (#0–#7) are enabled after step 1")
    expect(walk(model, 1, [])).toBe("the spec has 1 initial state (#0–#0), not #1")
  })
})

describe("parsePath", () => {
  it("reads dot-separated indices and refuses anything else, naming it", () => {
    expect(parsePath("3.0.12")).toEqual([3, 0, 12])
    expect(parsePath("")).toEqual([])
    expect(parsePath("3.-1")).toMatch(/"-1" in "3.-1" is not an index/)
  })
})

describe("walkTrace", () => {
  const config = { ...defaultConfig(twoPhaseCommitSpec), variant: "no-durable-decision" }
  const buggy = toModel(twoPhaseCommitSpec.build(config))
  const result = check(buggy, { strategy: "bfs" })
  const violation = result.violation
  if (violation === undefined) throw new Error("no-durable-decision is caught by the checker")
  const trace = buildTrace(buggy, { spec: "2pc", config, property: { name: violation.property, kind: "always" } }, violation.path)

  it("finds the path a counterexample took, step by step", () => {
    const walked = walkTrace(new ModelCache(testCatalog), trace)
    expect(walked).toEqual({
      location: { spec: "2pc", options: { variant: "no-durable-decision", participants: "3", transactions: "1", crashes: "1", inquire: "false", network: "unordered", lossy: "false" }, init: 0, path: violation.path.actionIndices },
      steps: trace.steps.length,
      matched: trace.steps.length,
      verdict: expect.objectContaining({ name: "CoordinatorAgrees", kind: "always", brokenAt: trace.steps.length, loop: null })
    })
  })

  it("stops at the first step that is no action of the spec, and says which", () => {
    const steps = trace.steps.map((step, i) => i === 3 ? { ...step, lanes: { ...step.lanes, p1: { phase: "elsewhere" } } } : step)
    const walked = walkTrace(new ModelCache(testCatalog), { ...trace, steps })
    if (typeof walked === "string") throw new Error(walked)
    expect(walked.matched).toBe(3)
    expect(walked.location.path).toEqual(violation.path.actionIndices.slice(0, 3))
    expect(walked.problem).toMatch(/^step 4 \(.+\) is not an action of 2pc after step 3/)
  })

  it("refuses a trace of a spec it does not know", () => {
    expect(walkTrace(new ModelCache(testCatalog), { ...trace, spec: "nope" })).toMatch(/^the trace is of nope .*: unknown spec "nope"/)
  })
})
