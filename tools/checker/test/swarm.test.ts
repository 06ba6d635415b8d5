import { describe, expect, it } from "vitest"
import { check, checkParallel, checkSwarm, replay } from "../src/index.ts"
import type { CheckOptions } from "../src/index.ts"
import { gridModel } from "./grid-model.ts"
import type { Point } from "./grid-model.ts"

const source = (input: { readonly size: number; readonly trap?: Point }) => ({
  module: new URL("./grid-model.ts", import.meta.url).href,
  export: "gridModel",
  input
})

const sim = (walks: number, seed: number): CheckOptions => ({ strategy: "sim", walks, seed, maxDepth: 200 })

describe("a swarm of random walks, one walker a thread, each with its own seed", () => {
  it("is its walkers' single-threaded searches with seeds seed, seed+1...: their figures, and the union of their states", async () => {
    const grid = { size: 40 }
    const swarm = await checkSwarm(source(grid), sim(15, 5), 3)
    const alone = [5, 6, 7].map((seed) => check(gridModel(grid), sim(15, seed)))
    expect(swarm.perWalker).toEqual(alone.map((result, i) => ({
      seed: 5 + i,
      walks: 15,
      distinctStates: result.distinctStates,
      generatedStates: result.generatedStates
    })))
    expect(swarm.walkers).toBe(3)
    expect(swarm.result).toBe("bounded")
    expect(swarm.walks).toBe(45)
    expect(swarm.generatedStates).toBe(alone.reduce((sum, result) => sum + result.generatedStates, 0))
    // Every walk starts at the corner, so the walkers share states: the union is more than any one's and less than their sum.
    expect(swarm.distinctStates).toBeGreaterThan(Math.max(...alone.map((result) => result.distinctStates)))
    expect(swarm.distinctStates).toBeLessThan(alone.reduce((sum, result) => sum + result.distinctStates, 0))
  }, 60_000)

  it("stops at a violation whose path replays to a state that breaks the property; checkParallel runs it for sim", async () => {
    const grid = { size: 12, trap: { x: 9, y: 2 } }
    const swarm = await checkParallel(source(grid), sim(400, 1), 2)
    expect(swarm.result).toBe("violation")
    expect(swarm.violation?.property).toBe("AvoidsTrap")
    const { steps } = replay(gridModel(grid), swarm.violation!.path)
    expect(steps.at(-1)?.state).toEqual({ x: 9, y: 2 })
  }, 60_000)

  it("is stopped by its signal, every walker with it", async () => {
    const controller = new AbortController()
    controller.abort()
    const swarm = await checkSwarm(source({ size: 40 }), { ...sim(1_000_000, 0), signal: controller.signal }, 2)
    expect(swarm.interrupted).toBe(true)
    expect(swarm.walks).toBeLessThan(2_000_000)
  }, 60_000)
})
