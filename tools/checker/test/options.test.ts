import { always, eventually, sometimes } from "@parley/core"
import { describe, expect, it } from "vitest"
import { check, checkParallel, validateCheckOptions } from "../src/index.ts"
import type { CheckOptions, OptionName } from "../src/index.ts"
import { counterModel as counter } from "./counter-model.ts"

const snapshot = { depth: 0, pending: [0], next: [], generated: 1, deepest: 0, witnesses: [], elapsedMs: 0 }

describe("validateCheckOptions", () => {
  it("finds nothing wrong with options that go together", () => {
    expect(validateCheckOptions({ strategy: "bfs", maxDepth: 3, liveness: true }, { model: counter(), workers: 2 })).toEqual([])
    expect(validateCheckOptions({ strategy: "sim", walks: 5, seed: -7 })).toEqual([])
    expect(validateCheckOptions({ strategy: "bfs", onLevel: () => {}, resume: snapshot }, { model: counter() })).toEqual([])
  })

  it.each<[CheckOptions, { workers?: number }, RegExp]>([
    [{ strategy: "bfs", maxDepth: 0 }, {}, /^maxDepth must be a positive integer, got 0$/],
    [{ strategy: "bfs", maxStates: 1.5 }, {}, /^maxStates must be a positive integer, got 1.5$/],
    [{ strategy: "sim", walks: -1 }, {}, /^walks must be a positive integer, got -1$/],
    [{ strategy: "bfs" }, { workers: 0 }, /^workers must be a positive integer, got 0$/],
    [{ strategy: "dfs", seed: 3 }, {}, /^seed goes with strategy sim, not dfs$/],
    [{ strategy: "dfs" }, { workers: 2 }, /^workers above 1 goes with strategy bfs or sim \(a swarm\)$/],
    [{ strategy: "dfs", onStopped: () => {} }, {}, /go with strategy bfs, without liveness$/],
    [{ strategy: "bfs", liveness: true, resume: snapshot }, {}, /go with strategy bfs, without liveness$/],
    [{ strategy: "bfs", symmetry: true, liveness: true }, {}, /^symmetry and liveness do not go together/]
  ])("names the one problem of %j", (options, context, message) => {
    const problems = validateCheckOptions(options, context)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(message)
  })

  it("names each problem once, in the caller's words", () => {
    const flag = (option: OptionName) => `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
    const problems = validateCheckOptions({ strategy: "bfs", maxDepth: 0, walks: 2, symmetry: true }, { model: counter(), optionName: flag, modelName: "counter" })
    expect(problems).toEqual([
      "--max-depth must be a positive integer, got 0",
      "--walks goes with --strategy sim, not bfs",
      "counter declares no interchangeable nodes, so --symmetry has nothing to reduce"
    ])
  })

  it("checks what depends on the model: too many liveness properties, a checkpoint of other properties", () => {
    const many = counter(Array.from({ length: 17 }, (_, i) => eventually(`E${i}`, (n: number) => n === 3)))
    expect(validateCheckOptions({ strategy: "bfs", liveness: true }, { model: many })).toEqual(["the checker takes at most 16 liveness properties, the model has 17"])
    expect(validateCheckOptions({ strategy: "bfs" }, { model: many })).toEqual([])
    const witnessed = counter([sometimes("Three", (n) => n === 3), always("Small", (n) => n < 9)])
    expect(validateCheckOptions({ strategy: "bfs", resume: snapshot }, { model: witnessed })).toEqual([
      "the checkpoint to resume from has 0 sometimes properties, the model has 1"
    ])
  })

  it("is what check and checkParallel refuse options by", async () => {
    expect(() => check(counter(), { strategy: "dfs", walks: 3 })).toThrow(new RangeError("walks goes with strategy sim, not dfs"))
    const source = { module: new URL("./counter-model.ts", import.meta.url).href, export: "counterModel", input: [] }
    await expect(checkParallel(source, { strategy: "dfs" }, 2)).rejects.toThrow(/^workers above 1 goes with strategy bfs or sim \(a swarm\)$/)
  })
})
