import { always, sometimes } from "@parley/core"
import type { Model, StepEvent } from "@parley/core"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { check, CheckpointError, readCheckpoint, replay, Search, StateTable, writeCheckpoint } from "../src/index.ts"
import type { CheckOptions } from "../src/index.ts"

/** Three counters that each step may increment up to 9: 1,000 states, 28 levels. */
interface Counters {
  readonly x: number
  readonly y: number
  readonly z: number
}
type Key = keyof Counters

const counters = (properties: Model<Counters, Key>["properties"] = []): Model<Counters, Key> => ({
  init: () => [{ x: 0, y: 0, z: 0 }],
  actions: () => ["x", "y", "z"],
  next: (s, k) => (s[k] >= 9 ? undefined : { ...s, [k]: s[k] + 1 }),
  properties,
  describe: (_, k): StepEvent => ({ _tag: "Local", node: k, label: `inc ${k}` }),
  lanes: (s) => ({ c: s })
})

const dir = mkdtempSync(join(tmpdir(), "parley-checkpoint-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs a BFS, stops it at the level's end where `stopAt` says so, writes and reads the checkpoint it leaves, and resumes. */
const stopAndResume = async (model: Model<Counters, Key>, stopAt: () => boolean) => {
  const file = join(dir, `run-${Math.random()}.checkpoint`)
  const stop = new AbortController()
  const first = new Search(model, {
    strategy: "bfs",
    signal: stop.signal,
    onLevel: () => stopAt() && stop.abort(),
    onStopped: (at) => writeCheckpoint(file, { spec: "counters", config: {}, symmetry: false, snapshot: at.snapshot(), table: at.stateTable.saved() })
  })
  const stopped = await first.runInterruptibly()
  const saved = readCheckpoint(file)
  const cut = `${file}.cut`
  writeFileSync(cut, readFileSync(file).subarray(0, -4))
  expect(() => readCheckpoint(cut)).toThrow(/cut short or padded/)
  const options: CheckOptions = { strategy: "bfs", resume: saved.snapshot }
  const resumed = await new Search(model, options, StateTable.restored(saved.table)).runInterruptibly()
  return { stopped, resumed, saved }
}

describe("checkpoints", () => {
  it("a search stopped at a level's end and resumed from its file finds exactly what an unbroken one finds", async () => {
    const whole = check(counters([sometimes("AllNine", (s) => s.x + s.y + s.z === 27)]), { strategy: "bfs" })
    let levels = 0
    const { stopped, resumed, saved } = await stopAndResume(counters([sometimes("AllNine", (s) => s.x + s.y + s.z === 27)]), () => ++levels === 10)
    expect(stopped).toMatchObject({ result: "bounded", interrupted: true })
    expect(stopped.distinctStates).toBeLessThan(1000)
    expect(saved.snapshot.depth).toBe(10)
    expect(resumed.result).toBe("ok")
    expect([resumed.distinctStates, resumed.generatedStates, resumed.maxDepth]).toEqual([whole.distinctStates, whole.generatedStates, whole.maxDepth])
    expect(resumed.unreached).toEqual([])
  })

  it("a resumed search still finds a violation, with a trace that replays from the start", async () => {
    const model = counters([always("SumBelow20", (s) => s.x + s.y + s.z < 20)])
    let levels = 0
    const { resumed } = await stopAndResume(model, () => ++levels === 5)
    expect(resumed.violation?.property).toBe("SumBelow20")
    const { steps } = replay(model, resumed.violation!.path)
    expect(steps).toHaveLength(20)
  })

  it("refuses a file that is not a whole checkpoint, saying why", () => {
    const notJson = join(dir, "not-json")
    writeFileSync(notJson, Buffer.from([3, 0, 0, 0, 120, 121, 122]))
    expect(() => readCheckpoint(notJson)).toThrow(CheckpointError)
    expect(() => readCheckpoint(notJson)).toThrow(/header is not JSON/)
    const wrongFormat = join(dir, "wrong-format")
    const header = Buffer.from(JSON.stringify({ format: "parley-checkpoint/0" }))
    const length = Buffer.alloc(4)
    length.writeUInt32LE(header.length)
    writeFileSync(wrongFormat, Buffer.concat([length, header]))
    expect(() => readCheckpoint(wrongFormat)).toThrow(/not a parley-checkpoint\/1 checkpoint/)
  })
})
