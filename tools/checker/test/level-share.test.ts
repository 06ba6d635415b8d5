import { describe, expect, it } from "vitest"
import { check, checkParallel, replay, Search, StateTable } from "../src/index.ts"
import { PathRebuilder } from "../src/path-rebuilder.ts"
import { greeters } from "./greeters.ts"
import type { Setup } from "./greeters.ts"

const setup: Setup = { network: "unordered", maxCrashes: 1, clients: 1, lossy: true }
const source = { module: new URL("./greeters.ts", import.meta.url).href, export: "greeters", input: setup }

/** A state's words, which in one thread name it exactly (see `SystemStore`). */
const wordsOf = (model: ReturnType<typeof greeters>, state: unknown): Array<number> => {
  const words = new Uint32Array(model.codec!.words)
  model.codec!.encode(state as never, words, 0)
  return Array.from(words)
}

describe("PathRebuilder", () => {
  it("rebuilds each stored state, one step a state when taken in the order the search stored them", () => {
    const model = greeters(setup)
    const table = new StateTable()
    const result = new Search(model, { strategy: "bfs" }, table).run()
    expect(result.distinctStates).toBeGreaterThan(1000)
    const rebuilder = new PathRebuilder(model, table)
    let roots = 0
    // One thread stores ids from 0 up, with no holes.
    for (let id = 0; id < result.distinctStates; id++) {
      if (table.isRoot(id)) roots++
      const { initial, steps } = replay(model, table.pathTo(id))
      expect(wordsOf(model, rebuilder.stateOf(id))).toEqual(wordsOf(model, steps.at(-1)?.state ?? initial))
    }
    expect(rebuilder.steps).toBe(result.distinctStates - roots)
  })
})

describe("a level shared by two threads whose states are thread-local words", () => {
  it("counts what one thread counts, each thread expanding part, the states taken from the other rebuilt", async () => {
    const one = check(greeters(setup), { strategy: "bfs" })
    const two = await checkParallel(source, { strategy: "bfs" }, 2, { statesPerWorkerToSplit: 1, waitForWorkers: true })
    expect([two.result, two.distinctStates, two.generatedStates, two.maxDepth]).toEqual([one.result, one.distinctStates, one.generatedStates, one.maxDepth])
    const threads = two.perThread!
    expect(threads.map((t) => t.thread)).toEqual([0, 1])
    expect(threads.every((t) => t.expanded > 0)).toBe(true)
    expect(threads.reduce((sum, t) => sum + t.expanded, 0)).toBeLessThanOrEqual(one.distinctStates)
    // Every state taken from the other thread's words is rebuilt, at least its own step replayed.
    for (const thread of threads) {
      expect(thread.replayed).toBe(thread.stolen)
      expect(thread.replaySteps).toBeGreaterThanOrEqual(thread.replayed)
    }
  })
})
