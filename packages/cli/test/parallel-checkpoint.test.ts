import { check, checkParallel, readCheckpoint, StateTable, toModel, writeCheckpoint } from "@parley/checker"
import { defaultConfig } from "@parley/core"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { registry } from "../src/registry.ts"

const twoPc = registry.find((spec) => spec.name === "2pc")!
const config = defaultConfig(twoPc)
/** 2pc as each worker thread builds it: a cluster of actors with no codec, whose states a thread rebuilds by replay when it did not store them. */
const source = { module: new URL("../src/worker-model.ts", import.meta.url).href, export: "buildCheckModel", input: { spec: "2pc", config, module: twoPc.module } }

describe("a checkpoint of a parallel search of actors", () => {
  it("stopped part-way, goes on on two threads to exactly the states and steps an unbroken run counts", async () => {
    const whole = check(toModel(twoPc.build(config)), { strategy: "bfs" })
    const file = join(mkdtempSync(join(tmpdir(), "parley-parallel-checkpoint-")), "2pc.checkpoint")
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
