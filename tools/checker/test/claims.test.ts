import { always, defineSpec, eventually, int, sometimes } from "@parley/core"
import { describe, expect, it } from "vitest"
import { expectCaught, expectHolds } from "../src/testing.ts"
import { counterModel } from "./counter-model.ts"

/**
 * The counter (0 to 3, four states) as a spec: the invariant `n <= ceiling`,
 * `sometimes n == goal`, and `eventually n == target`, which with no fairness
 * holds only of the initial 0: the counter may stay there forever.
 */
const counterSpec = defineSpec({
  name: "counter",
  description: "one counter up to 3",
  options: {
    ceiling: int("the highest value the invariant allows", { default: 3, min: 0, max: 9 }),
    goal: int("the value a sometimes property must reach", { default: 3, min: 0, max: 9 }),
    target: int("the value an eventually property must reach", { default: 0, min: 0, max: 9 })
  },
  correct: {},
  variants: {},
  build: ({ ceiling, goal, target }) => ({
    _tag: "Model",
    model: counterModel([
      always("AtMostCeiling", (n: number) => n <= ceiling),
      sometimes("ReachesGoal", (n: number) => n === goal),
      eventually("ReachesTarget", (n: number) => n === target)
    ])
  })
})

/** The message of the error `claim` throws, or a failure when it throws none. */
const failureOf = (claim: () => unknown): string => {
  try {
    claim()
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
  throw new Error("the claim was false, and nothing said so")
}

describe("expectHolds", () => {
  it("passes on a true claim and returns the search, to go on asserting", () => {
    const { result, trace } = expectHolds(counterSpec, {}, { states: 4, reached: ["ReachesGoal"], reachedOnly: true })
    expect(result.result).toBe("ok")
    expect(() => trace()).toThrow(/counter \{\}: no violation to trace/)
    expect(expectHolds(counterSpec, { goal: 7 }, { states: 4, unreached: ["ReachesGoal"] }).result.unreached).toEqual(["ReachesGoal"])
    expect(expectHolds(counterSpec, {}, { states: 4, liveness: true }).result.livenessUnchecked).toEqual([])
  })

  it("fails on a wrong state count, naming the spec, the overrides and both counts", () => {
    expect(failureOf(() => expectHolds(counterSpec, { goal: 2 }, { states: 5 }))).toBe(
      "counter {\"goal\":2}: expected every property to hold, but\n  - distinct states: 4, expected 5"
    )
  })

  it("fails on a sometimes left unreached, and on one named as reached that is not", () => {
    expect(failureOf(() => expectHolds(counterSpec, { goal: 7 }, { states: 4 }))).toMatch(/sometimes unreached: ReachesGoal, expected none/)
    expect(failureOf(() => expectHolds(counterSpec, {}, { states: 4, unreached: ["ReachesGoal"] }))).toMatch(
      /sometimes unreached: none, expected ReachesGoal/
    )
    expect(failureOf(() => expectHolds(counterSpec, {}, { states: 4, reached: ["ReachesFour"] }))).toMatch(
      /sometimes not reached: ReachesFour \(reached: ReachesGoal\)/
    )
    expect(failureOf(() => expectHolds(counterSpec, {}, { states: 4, reached: [], reachedOnly: true }))).toMatch(
      /sometimes reached beyond those named: ReachesGoal/
    )
  })

  it("fails on a violation where none was claimed, saying which and how deep", () => {
    expect(failureOf(() => expectHolds(counterSpec, { ceiling: 1 }, { states: 4 }))).toBe(
      "counter {\"ceiling\":1}: expected every property to hold, but\n" +
        "  - violated: always AtMostCeiling after 2 steps\n" +
        "  - distinct states: 3, expected 4\n" +
        "  - sometimes unreached: ReachesGoal, expected none"
    )
  })

  it("says every difference at once", () => {
    const message = failureOf(() => expectHolds(counterSpec, { goal: 7 }, { states: 9, reached: ["ReachesGoal"] }))
    expect(message.split("\n")).toEqual([
      "counter {\"goal\":7}: expected every property to hold, but",
      "  - distinct states: 4, expected 9",
      "  - sometimes unreached: ReachesGoal, expected none",
      "  - sometimes not reached: ReachesGoal (reached: none)"
    ])
  })
})

describe("expectCaught", () => {
  it("passes on a true claim and returns the search with its trace", () => {
    const { result, trace } = expectCaught(counterSpec, { ceiling: 1 }, { property: "AtMostCeiling", depth: 2, states: 3 })
    expect(result.violation?.property).toBe("AtMostCeiling")
    expect(trace().steps.map((s) => s.lanes)).toEqual([{ c: 1 }, { c: 2 }])
  })

  it("fails where no violation was found", () => {
    expect(failureOf(() => expectCaught(counterSpec, {}, { property: "AtMostCeiling", depth: 2 }))).toBe(
      "counter {}: expected always AtMostCeiling broken in 2 steps, but\n  - no violation: the search was ok in 4 states"
    )
  })

  it("fails on the wrong property or the wrong kind, saying what was violated instead", () => {
    expect(failureOf(() => expectCaught(counterSpec, { ceiling: 1 }, { property: "Elsewhere", depth: 2 }))).toMatch(
      /^counter \{"ceiling":1\}: expected always Elsewhere broken in 2 steps, but\n {2}- violated instead: always AtMostCeiling after 2 steps$/
    )
    expect(failureOf(() => expectCaught(counterSpec, { ceiling: 1 }, { property: "AtMostCeiling", kind: "eventually", depth: 2 }))).toMatch(
      /violated instead: always AtMostCeiling after 2 steps/
    )
  })

  it("fails on the wrong depth, the wrong state count, or a sometimes not reached", () => {
    expect(failureOf(() => expectCaught(counterSpec, { ceiling: 1 }, { property: "AtMostCeiling", depth: 3, states: 5 })).split("\n")).toEqual([
      "counter {\"ceiling\":1}: expected always AtMostCeiling broken in 3 steps, but",
      "  - steps: 2, expected 3",
      "  - distinct states: 3, expected 5"
    ])
    expect(failureOf(() => expectCaught(counterSpec, { ceiling: 1 }, { property: "AtMostCeiling", depth: 2, reached: ["ReachesGoal"] }))).toMatch(
      /sometimes not reached: ReachesGoal/
    )
  })

  it("catches a liveness violation by its kind, and names liveness in the label", () => {
    expect(expectCaught(counterSpec, { target: 3 }, { property: "ReachesTarget", kind: "eventually", depth: 0, liveness: true }).trace().loopStart).toBe(0)
    const message = failureOf(() => expectCaught(counterSpec, {}, { property: "ReachesTarget", kind: "eventually", depth: 0, liveness: true }))
    expect(message).toMatch(/^counter \{\} with liveness: expected eventually ReachesTarget broken in 0 steps, but\n {2}- no violation/)
  })
})
