import { seededRandom } from "@parley/history"
import { describe, expect, it } from "vitest"
import type { ClusterClient } from "../src/workload.ts"
import { operationsPerKey, registerWorkload } from "../src/workloads/register.ts"
import type { RegisterOperation } from "../src/workloads/register.ts"

/** A client whose every call succeeds as a swap or a write would; reads see nothing. */
const agreeable: ClusterClient = {
  call: async (method) => ({
    _tag: "Answered",
    afterDoubt: false,
    answer: { node: "n1", status: method === "GET" ? 404 : 200, body: method === "POST" ? { swapped: true } : {} }
  })
}

const draw = (count: number, keys = 4) => {
  const workload = registerWorkload({ keys }, "t")
  const random = seededRandom(9)
  return { workload, operations: Array.from({ length: count }, () => workload.next(random)) }
}

describe("the register workload", () => {
  it("never writes a value twice to one key", () => {
    const { operations } = draw(5000)
    const written = operations.flatMap((operation) =>
      operation.f === "write" ? [`${operation.key}=${operation.value}`] : operation.f === "cas" ? [`${operation.key}=${operation.value[1]}`] : []
    )
    expect(new Set(written).size).toBe(written.length)
  })

  it("keeps the keys in use at once to --keys, each retired after its share of operations", () => {
    const { operations, workload } = draw(5000, 3)
    const perKey = new Map<string, number>()
    for (const operation of operations) perKey.set(operation.key, (perKey.get(operation.key) ?? 0) + 1)
    expect(Math.max(...perKey.values())).toBeLessThanOrEqual(operationsPerKey)
    expect(perKey.size).toBeGreaterThanOrEqual(Math.floor(5000 / operationsPerKey))
    expect(workload.finalOperations().map((operation) => operation.key).sort()).toEqual([...perKey.keys()].sort())
    expect(workload.finalOperations().every((operation) => operation.f === "read")).toBe(true)
  })

  it("mixes reads, writes and compare-and-sets, each expecting the last value seen", async () => {
    const workload = registerWorkload({ keys: 1 }, "t")
    const random = seededRandom(3)
    const seen: Array<RegisterOperation> = []
    for (let i = 0; i < 200; i++) {
      const operation = workload.next(random)
      await workload.perform(agreeable, operation)
      seen.push(operation)
    }
    const kinds = new Set(seen.map((operation) => operation.f))
    expect(kinds).toEqual(new Set(["read", "write", "cas"]))
    let last: number | null = null
    for (const operation of seen) {
      if (operation.f === "cas") expect(operation.value[0]).toBe(last)
      // Every read here answers nil (404), which the workload remembers as the key's value too.
      last = operation.f === "read" ? null : operation.f === "write" ? operation.value : operation.value[1]
    }
  })
})
