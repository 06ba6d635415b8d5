import { checkLinearizability } from "@parley/core"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { checkHistory, findModel, pairOperations } from "../src/index.ts"
import type { History } from "../src/index.ts"
import { simulateHistory } from "../src/simulate.ts"
import type { SimulationOptions } from "../src/simulate.ts"

const simulated = (modelName: string, options: SimulationOptions): History => {
  const records = simulateHistory(options).map((record, index) => ({ line: index + 1, record }))
  const history = pairOperations(findModel(modelName)!, records)
  if (Result.isFailure(history)) throw new Error(history.failure)
  return history.success
}

const kvRun: SimulationOptions = { seed: 7, clients: 50, operations: 1700, keys: 6, values: "unique", crashRate: 0.02, readRate: 0.5, casRate: 0.2 }
const registerRun: SimulationOptions = { seed: 3, clients: 10, operations: 2000, values: "unique", crashRate: 0.04, readRate: 0.5, casRate: 0.25 }

describe("simulated histories", () => {
  it("are linearizable as simulated, with crashed clients", () => {
    const history = simulated("kv", kvRun)
    expect(history.counts.info).toBeGreaterThan(10)
    expect(checkHistory(findModel("kv")!, history, {}).verdict.verdict).toBe("linearizable")
  })

  it("are not once a read returns a value overwritten before it began, and the verdict points at that read", () => {
    const history = simulated("kv", { ...kvRun, staleReadAt: 0.6 })
    const { verdict } = checkHistory(findModel("kv")!, history, {})
    expect(verdict.verdict).toBe("not-linearizable")
    const blocked = history.operations.find((operation) => operation.line === verdict.blocked?.line)!
    expect(blocked.f).toBe("read")
    expect(blocked.line).toBeGreaterThan(history.operations.at(-1)!.line / 2)
    expect(verdict.prefixLength).toBeGreaterThan(0)
  })
})

describe("the budget", () => {
  const history = simulated("cas-register", registerRun)
  const spec = findModel("cas-register")!.spec

  it("ends a search that outlasts its time in Unknown, with how far it got", () => {
    let clock = 0
    const result = checkLinearizability(spec, history.operations, { budget: { maxMilliseconds: 5 }, now: () => clock++ })
    expect(result._tag).toBe("Unknown")
    if (result._tag !== "Unknown") return
    expect(result.reason).toBe("time")
    expect(result.prefix.length).toBeGreaterThan(0)
    expect(result.stats.decided).toBe(0)
  })

  it("ends a search whose memo outgrows its memory in Unknown", () => {
    const result = checkLinearizability(spec, history.operations, { budget: { maxMemoryBytes: 200_000 } })
    expect(result).toMatchObject({ _tag: "Unknown", reason: "memory" })
    expect(result.stats.memoBytes).toBeGreaterThan(200_000)
  })

  it("is not needed by the same history with room to finish", () => {
    expect(checkLinearizability(spec, history.operations, { budget: { maxMemoryBytes: 1e9 } })._tag).toBe("Linearizable")
  })
})
