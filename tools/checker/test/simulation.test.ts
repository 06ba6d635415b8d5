import { always, sometimes } from "@parley/core"
import type { Model, StepEvent } from "@parley/core"
import { describe, expect, it } from "vitest"
import { check, replay } from "../src/index.ts"
import type { CheckOptions } from "../src/index.ts"
import { seededRandom } from "../src/random.ts"

/** A walker on a grid of `size`×`size` that may move right or up. */
interface Point {
  readonly x: number
  readonly y: number
}

const grid = (size: number, extra: Partial<Model<Point, "right" | "up">> = {}): Model<Point, "right" | "up"> => ({
  init: () => [{ x: 0, y: 0 }],
  actions: () => ["right", "up"],
  next: (p, a) => (a === "right" ? (p.x + 1 < size ? { ...p, x: p.x + 1 } : undefined) : p.y + 1 < size ? { ...p, y: p.y + 1 } : undefined),
  properties: [],
  describe: (_, a): StepEvent => ({ _tag: "Local", node: "walker", label: a }),
  lanes: (p) => ({ walker: p }),
  ...extra
})

const sim = (walks: number, seed: number, maxDepth?: number): CheckOptions => ({
  strategy: "sim",
  walks,
  seed,
  ...(maxDepth === undefined ? {} : { maxDepth })
})

describe("random walks", () => {
  it("are reproducible from the seed, and another seed walks elsewhere", () => {
    const model = grid(30)
    const first = check(model, sim(20, 42))
    const again = check(model, sim(20, 42))
    const other = check(model, sim(20, 43))
    expect(again.distinctStates).toBe(first.distinctStates)
    expect(again.generatedStates).toBe(first.generatedStates)
    expect(other.distinctStates).not.toBe(first.distinctStates)
  })

  it("never claim ok: without a violation the result is bounded, with the walks and distinct states seen", () => {
    const result = check(grid(5), sim(200, 1))
    expect(result.result).toBe("bounded")
    expect(result.walks).toBe(200)
    // 200 walks of 8 steps over a 25-point grid see all of it.
    expect(result.distinctStates).toBe(25)
    expect(result.maxDepth).toBe(8)
  })

  it("find a violation and give a trace that replays to it", () => {
    const model = grid(20, { properties: [always<Point>("BelowDiagonal", (p) => p.x >= p.y - 3)] })
    const result = check(model, sim(100, 5))
    expect(result.result).toBe("violation")
    const { steps } = replay(model, result.violation!.path)
    const last = steps.at(-1)!.state
    expect(last.y - last.x).toBeGreaterThan(3)
  })

  it("with preferNew, step to states not met yet where there are any: more distinct states from as many walks", () => {
    const model = grid(30)
    const uniform = check(model, sim(40, 3))
    const novel = check(model, { ...sim(40, 3), preferNew: true })
    expect(novel.generatedStates).toBe(uniform.generatedStates)
    expect(novel.distinctStates).toBeGreaterThan(uniform.distinctStates * 1.2)
    expect(check(model, { ...sim(40, 3), preferNew: true }).distinctStates).toBe(novel.distinctStates)
  })

  it("stop each walk at --max-depth", () => {
    const result = check(grid(50), sim(10, 9, 7))
    expect(result.maxDepth).toBe(7)
  })

  it("report a deadlock when asked, at a walk's end that is not terminal", () => {
    const model = grid(3)
    expect(check(model, { ...sim(5, 0), deadlock: true }).violation).toMatchObject({ kind: "deadlock" })
    expect(check({ ...model, terminal: (p) => p.x === 2 && p.y === 2 }, { ...sim(5, 0), deadlock: true }).result).toBe("bounded")
  })

  it("record sometimes witnesses with paths that replay", () => {
    const model = grid(6, { properties: [sometimes<Point>("Corner", (p) => p.x === 5 && p.y === 0)] })
    const result = check(model, sim(500, 2))
    const witness = result.reached.find((r) => r.property === "Corner")!
    expect(replay(model, witness.path).steps.at(-1)!.state).toEqual({ x: 5, y: 0 })
  })
})

describe("seededRandom", () => {
  it("gives the same numbers in [0, 1) for a seed, including seed 0", () => {
    for (const seed of [0, 1, -7, 2 ** 31]) {
      const a = seededRandom(seed)
      const b = seededRandom(seed)
      const draws = Array.from({ length: 1000 }, () => a())
      expect(draws).toEqual(Array.from({ length: 1000 }, () => b()))
      expect(draws.every((x) => x >= 0 && x < 1)).toBe(true)
      expect(new Set(draws).size).toBeGreaterThan(990)
    }
  })
})
