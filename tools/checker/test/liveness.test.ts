import { eventually, leadsTo } from "@parley/core"
import type { Model, Property, StepEvent } from "@parley/core"
import { describe, expect, it } from "vitest"
import { check, replay } from "../src/index.ts"
import type { CheckResult } from "../src/index.ts"

/**
 * A token going round a ring of `size` positions, which may `exit` where
 * `exitAt` allows (then nothing more happens), and may `flip` a bit where
 * `flips` is set. `fair` lists the actions under weak fairness.
 */
interface Ring {
  readonly at: number
  readonly done: boolean
  readonly bit: boolean
}
type RingAction = "step" | "exit" | "flip"

interface RingOptions {
  readonly size?: number
  readonly exitAt?: (at: number) => boolean
  readonly flips?: boolean
  readonly fair?: ReadonlyArray<RingAction> | undefined
  readonly properties: ReadonlyArray<Property<Ring>>
  readonly within?: (state: Ring) => boolean
}

const ring = (options: RingOptions): Model<Ring, RingAction> => {
  const size = options.size ?? 3
  const exitAt = options.exitAt ?? (() => true)
  const fair = options.fair
  return {
    init: () => [{ at: 0, done: false, bit: false }],
    actions: () => (options.flips === true ? ["step", "exit", "flip"] : ["step", "exit"]),
    next: (s, a) => {
      if (s.done) return undefined
      switch (a) {
        case "step":
          return { ...s, at: (s.at + 1) % size }
        case "exit":
          return exitAt(s.at) ? { ...s, done: true } : undefined
        case "flip":
          return { ...s, bit: !s.bit }
      }
    },
    properties: options.properties,
    ...(fair === undefined ? {} : { fairness: (_s: Ring, a: RingAction) => (fair.includes(a) ? a : undefined) }),
    ...(options.within === undefined ? {} : { within: options.within }),
    describe: (_, a): StepEvent => ({ _tag: "Local", node: "token", label: a }),
    lanes: (s) => ({ token: s })
  }
}

const exits = eventually<Ring>("Exits", (s) => s.done)

const live = (model: Model<Ring, RingAction>): CheckResult => check(model, { strategy: "bfs", liveness: true })

/** The lasso's actions by name, its stem and its cycle apart, and whether the cycle returns where it began. */
const lasso = (model: Model<Ring, RingAction>, result: CheckResult) => {
  const violation = result.violation!
  const { initial, steps } = replay(model, violation.path)
  const names = violation.path.actionIndices.map((index, i) => model.actions(i === 0 ? initial : steps[i - 1]!.state)[index])
  const loopStart = violation.loopStart!
  const entry = loopStart === 0 ? initial : steps[loopStart - 1]!.state
  return {
    stem: names.slice(0, loopStart),
    cycle: names.slice(loopStart),
    closes: loopStart === steps.length || JSON.stringify(steps.at(-1)!.state) === JSON.stringify(entry)
  }
}

describe("eventually under weak fairness", () => {
  it("holds when the way out is fair and enabled everywhere: a behaviour that keeps stepping is unfair", () => {
    const result = live(ring({ fair: ["step", "exit"], properties: [exits] }))
    expect(result.result).toBe("ok")
    expect(result.livenessUnchecked).toEqual([])
  })

  it("fails when the way out is fair but enabled only in some states of the cycle: weak fairness does not force it", () => {
    const model = ring({ fair: ["step", "exit"], exitAt: (at) => at === 0, properties: [exits] })
    const result = live(model)
    expect(result.violation).toMatchObject({ property: "Exits", kind: "eventually" })
    expect(lasso(model, result)).toEqual({ stem: [], cycle: ["step", "step", "step"], closes: true })
  })

  it("fails when the way out is not fair, or when the model declares no fairness at all", () => {
    for (const fair of [["step"], undefined] as const) {
      const model = ring({ fair, properties: [exits] })
      const result = live(model)
      expect(result.violation?.property).toBe("Exits")
      expect(lasso(model, result).closes).toBe(true)
    }
  })

  it("reports a state with no fair action enabled as a lasso that stays there", () => {
    const model = ring({ fair: ["step", "exit"], properties: [eventually<Ring>("ReachesTwo", (s) => s.at === 2)] })
    const result = live(model)
    expect(result.violation?.loopStart).toBe(1)
    expect(lasso(model, result)).toEqual({ stem: ["exit"], cycle: [], closes: true })
  })

  it("builds a cycle that takes every fair action enabled throughout it", () => {
    const model = ring({ fair: ["step", "flip"], flips: true, exitAt: () => false, properties: [exits] })
    const result = live(model)
    const { cycle, closes } = lasso(model, result)
    expect(closes).toBe(true)
    expect(cycle).toContain("step")
    expect(cycle).toContain("flip")
  })

  it("does not judge a behaviour that leaves the boundary", () => {
    const result = live(ring({ fair: ["step", "exit"], within: (s) => !s.done, properties: [exits] }))
    expect(result.result).toBe("ok")
  })
})

describe("leadsTo under weak fairness", () => {
  const fromOne = leadsTo<Ring>("OneLeadsToExit", (s) => s.at === 1 && !s.done, (s) => s.done)

  it("holds when the goal's action is fair and enabled everywhere", () => {
    expect(live(ring({ fair: ["step", "exit"], properties: [fromOne] })).result).toBe("ok")
  })

  it("fails from a premise state, the lasso starting where the premise holds", () => {
    const model = ring({ fair: ["step", "exit"], exitAt: (at) => at === 2, properties: [fromOne] })
    const result = live(model)
    expect(result.violation).toMatchObject({ property: "OneLeadsToExit", kind: "leadsTo" })
    const { stem, cycle, closes } = lasso(model, result)
    expect(closes).toBe(true)
    expect(stem).toEqual(["step"])
    expect(cycle).toEqual(["step", "step", "step"])
  })
})

describe("when liveness is not checked", () => {
  it("says so: not asked for", () => {
    const result = check(ring({ fair: ["step"], properties: [exits] }), { strategy: "bfs" })
    expect(result.result).toBe("ok")
    expect(result.livenessUnchecked).toEqual(["Exits"])
  })

  it("says so: a bound cut the search short", () => {
    const result = check(ring({ fair: ["step"], size: 50, properties: [exits] }), { strategy: "bfs", liveness: true, maxStates: 10 })
    expect(result.result).toBe("bounded")
    expect(result.livenessUnchecked).toEqual(["Exits"])
  })
})
