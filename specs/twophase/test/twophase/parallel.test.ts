import { check, checkParallel, readCheckpoint, Search, StateTable, writeCheckpoint } from "@parley/checker"
import type { Checkpoint, CheckOptions, CheckResult } from "@parley/checker"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { twoPhaseModel } from "../../src/twophase/model.ts"
import { twoPhaseModelFrom, twoPhaseSpec } from "../../src/twophase/spec.ts"

/** The model as each worker thread builds it for itself, from the module the spec names. */
const source = (rms: number, variant?: string) => ({
  module: twoPhaseSpec.module!,
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
    const two = await checkParallel(source(5), { strategy: "bfs" }, 2, { statesPerWorkerToSplit: 1 })
    expect(two.distinctStates).toBe(8832)
    expect(two.unreached).toEqual([])
  })

  it("keeps BFS's shortest counterexample", async () => {
    const one = check(twoPhaseModelFrom({ rms: 6, variant: "abort-when-prepared" }), { strategy: "bfs" })
    // Workers from the first level on, so that the violation is found by one of them.
    const two = await checkParallel(source(6, "abort-when-prepared"), { strategy: "bfs" }, 2, { statesPerWorkerToSplit: 1 })
    expect(two.violation?.property).toBe("TCConsistent")
    expect(two.violation?.path.actionIndices.length).toBe(one.violation?.path.actionIndices.length)
  })
})

describe("checkpoints of a parallel search", () => {
  const rms = 7
  const whole = check(twoPhaseModel(rms), { strategy: "bfs" })
  const dir = mkdtempSync(join(tmpdir(), "parley-parallel-checkpoint-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  /** Where `search` stopped, through its checkpoint file, and the file read back. */
  const stoppedRun = async (search: (options: CheckOptions) => Promise<CheckResult>, stopAt: (stop: () => void) => Partial<CheckOptions>) => {
    const file = join(dir, `run-${Math.random()}.checkpoint`)
    const stop = new AbortController()
    const stopped = await search({
      strategy: "bfs",
      signal: stop.signal,
      onStopped: (at) => writeCheckpoint(file, { spec: "twophase", config: {}, symmetry: false, snapshot: at.snapshot(), table: at.stateTable.saved() }),
      ...stopAt(() => stop.abort())
    })
    return { stopped, checkpoint: readCheckpoint(file) }
  }
  const onTwoThreads = (options: CheckOptions, table?: StateTable) => checkParallel(source(rms), options, 2, table === undefined ? {} : { table })
  const onOneThread = (options: CheckOptions, table?: StateTable) => new Search(twoPhaseModel(rms), options, table).runInterruptibly()
  const resumedOn = (search: typeof onOneThread, checkpoint: Checkpoint) =>
    search({ strategy: "bfs", resume: checkpoint.snapshot }, StateTable.restored(checkpoint.table))

  it("stopped inside a level the threads share, goes on from its checkpoint on two threads to exactly the unbroken run's states", async () => {
    // The main thread reports progress every 1,024 states it expands: the second report at depth 12 comes from inside that level.
    let reportsAtDepth = 0
    const { stopped, checkpoint } = await stoppedRun(onTwoThreads, (stop) => ({
      progressIntervalMs: 0,
      onProgress: (progress) => progress.depth === 12 && ++reportsAtDepth === 2 && stop()
    }))
    expect(stopped).toMatchObject({ result: "bounded", interrupted: true })
    expect(checkpoint.snapshot.depth).toBe(12)
    expect(checkpoint.snapshot.next.length).toBeGreaterThan(0)
    const resumed = await resumedOn(onTwoThreads, checkpoint)
    expect(resumed.result).toBe("ok")
    expect([resumed.distinctStates, resumed.generatedStates, resumed.maxDepth]).toEqual([whole.distinctStates, whole.generatedStates, whole.maxDepth])
    expect(resumed.unreached).toEqual([])
  })

  it("stopped at a level's end on two threads, goes on on one thread, and the other way round, counting what the unbroken run counts", async () => {
    let levels = 0
    const fromTwo = await stoppedRun(onTwoThreads, (stop) => ({ onLevel: () => ++levels === 14 && stop() }))
    expect(fromTwo.checkpoint.snapshot).toMatchObject({ depth: 14, next: [] })
    const onOne = await resumedOn(onOneThread, fromTwo.checkpoint)
    levels = 0
    const fromOne = await stoppedRun(onOneThread, (stop) => ({ onLevel: () => ++levels === 9 && stop() }))
    expect(fromOne.checkpoint.snapshot.depth).toBe(9)
    const onTwo = await resumedOn(onTwoThreads, fromOne.checkpoint)
    for (const resumed of [onOne, onTwo]) {
      expect(resumed.result).toBe("ok")
      expect([resumed.distinctStates, resumed.generatedStates, resumed.maxDepth]).toEqual([whole.distinctStates, whole.generatedStates, whole.maxDepth])
      expect(resumed.unreached).toEqual([])
    }
  })

  it("keeps BFS's shortest counterexample when it goes on from a checkpoint", async () => {
    const variant = (options: CheckOptions, table?: StateTable) =>
      checkParallel(source(6, "abort-when-prepared"), options, 2, { statesPerWorkerToSplit: 1, ...(table === undefined ? {} : { table }) })
    const one = check(twoPhaseModelFrom({ rms: 6, variant: "abort-when-prepared" }), { strategy: "bfs" })
    let levels = 0
    const { checkpoint } = await stoppedRun(variant, (stop) => ({ onLevel: () => ++levels === 3 && stop() }))
    const resumed = await resumedOn(variant, checkpoint)
    expect(resumed.violation?.property).toBe("TCConsistent")
    expect(resumed.violation?.path.actionIndices.length).toBe(one.violation?.path.actionIndices.length)
  })
})
