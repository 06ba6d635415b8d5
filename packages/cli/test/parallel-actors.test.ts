import { check, checkParallel, readCheckpoint, replay, StateTable, toModel, writeCheckpoint } from "@parley/checker"
import { defaultConfig, fingerprint } from "@parley/core"
import type { SpecConfig } from "@parley/core"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { registry } from "../src/registry.ts"

const twoPc = registry.find((spec) => spec.name === "2pc")!
const config = defaultConfig(twoPc)
/** 2pc as each worker thread builds it: a cluster of actors with no codec, whose states a thread rebuilds by replay when it did not store them. */
const sourceOf = (config: SpecConfig) => ({ module: new URL("../src/worker-model.ts", import.meta.url).href, export: "buildCheckModel", input: { spec: "2pc", config, module: twoPc.module } })
const source = sourceOf(config)

describe("a checkpoint of a parallel search of actors", () => {
  it("stopped part-way, goes on on two threads to exactly the states and steps an unbroken run counts", async () => {
    const whole = check(toModel(twoPc.build(config)), { strategy: "bfs" })
    const dir = mkdtempSync(join(tmpdir(), "parley-parallel-checkpoint-"))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, "2pc.checkpoint")
    const stop = new AbortController()
    let reports = 0
    // The main thread reports every 1,024 states it expands: twenty reports in, about half of 2pc's states are stored.
    const stopped = await checkParallel(source, {
      strategy: "bfs",
      signal: stop.signal,
      progressIntervalMs: 0,
      onProgress: () => ++reports === 20 && stop.abort(),
      onStopped: (at) => writeCheckpoint(file, { spec: "2pc", config, symmetry: false, snapshot: at.snapshot(), table: at.stateTable.saved() })
    }, 2)
    expect(stopped).toMatchObject({ result: "bounded", interrupted: true })
    expect(stopped.distinctStates).toBeLessThan(whole.distinctStates)
    const saved = readCheckpoint(file)
    const resumed = await checkParallel(source, { strategy: "bfs", resume: saved.snapshot }, 2, { table: StateTable.restored(saved.table) })
    expect(resumed.result).toBe("ok")
    expect([resumed.distinctStates, resumed.generatedStates, resumed.maxDepth]).toEqual([whole.distinctStates, whole.generatedStates, whole.maxDepth])
    expect(resumed.unreached).toEqual([])
  })
})

describe("liveness on two threads, each building part of the state graph", () => {
  it.each([
    ["fails with a coordinator crash: a prepared participant may wait forever", {}, "PreparedDecides"],
    ["holds with no crash", { crashes: 0, participants: 3 }, undefined]
  ] as const)("2pc %s, as on one thread", async (_, overrides, violated) => {
    const given = { ...config, ...overrides }
    const model = toModel(twoPc.build(given))
    const one = check(model, { strategy: "bfs", liveness: true })
    // Shared from the first level on, so that every thread expands states and adds edges.
    const two = await checkParallel(sourceOf(given), { strategy: "bfs", liveness: true }, 2, { statesPerWorkerToSplit: 1 })
    expect([two.distinctStates, two.generatedStates]).toEqual([one.distinctStates, one.generatedStates])
    expect(two.livenessUnchecked).toEqual([])
    expect(one.violation?.property).toBe(violated)
    expect(two.violation?.property).toBe(violated)
    if (two.violation === undefined) return
    // A real lasso: its stem and cycle replay, and its cycle comes back to the state it left, or its last state enables no fair action.
    const { initial, steps } = replay(model, two.violation.path)
    const loopStart = two.violation.loopStart!
    expect(steps).toHaveLength(two.violation.path.actionIndices.length)
    const last = steps.at(-1)?.state ?? initial
    if (loopStart < steps.length) {
      expect(fingerprint(last)).toBe(fingerprint(loopStart === 0 ? initial : steps[loopStart - 1]!.state))
    } else {
      const fairEnabled = model.actions(last).filter((action) => model.next(last, action) !== undefined && model.fairness?.(last, action) !== undefined)
      expect(fairEnabled).toEqual([])
    }
  })
})
