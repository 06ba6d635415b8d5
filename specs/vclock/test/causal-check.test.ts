import { buildTrace, check, systemModel } from "@parley/checker"
import { defaultConfig } from "@parley/core"
import type { AnySystemSpec, ConfigValue } from "@parley/core"
import { describe, expect, it } from "vitest"
import { causalBroadcastSpec, causalDelivery } from "../src/index.ts"

const explore = (overrides: Readonly<Record<string, ConfigValue>>, adjust: (system: AnySystemSpec) => AnySystemSpec = (s) => s) => {
  const config = { ...defaultConfig(causalBroadcastSpec), ...overrides }
  const built = causalBroadcastSpec.build(config)
  if (built._tag !== "System") throw new Error("causal-broadcast builds a system")
  const model = systemModel(adjust(built.system))
  const result = check(model, { strategy: "bfs" })
  const trace = () => {
    const violation = result.violation
    if (violation === undefined) throw new Error("no violation to trace")
    return buildTrace(model, { spec: "causal-broadcast", config, property: { name: violation.property, kind: violation.kind } }, violation.path)
  }
  return { result, trace }
}

type Lane = { readonly log?: ReadonlyArray<string> }

describe("causal broadcast, checked exhaustively", () => {
  it.each([
    // overrides, distinct states
    [{}, 23_994],
    [{ network: "ordered" }, 16_032],
    [{ broadcasts: 1, "max-messages": 0 }, 690]
  ] as const)("%j: deliveries respect happens-before and clocks match it in all %i states", (overrides, states) => {
    const { result } = explore(overrides)
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
    expect(result.reached.map((r) => r.property)).toEqual(expect.arrayContaining(["MessageWaited", "CausalChain", "ConcurrentBroadcasts"]))
    expect(result.distinctStates).toBe(states)
  })
})

describe("causal broadcast's known bugs, each caught", () => {
  it("fifo-only: n3 delivers n2's message before the n1 message n2 had delivered when it sent it", () => {
    const { result, trace } = explore({ variant: "fifo-only" })
    expect(result.violation).toMatchObject({ property: "CausalDelivery", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(4)
    expect((trace().steps.at(-1)!.lanes["n3"] as Lane).log).toEqual(["n2#1 [n1:1 n2:1]"])
  })

  it("own-counter: a reply's clock omits what it answers, so the clocks call the two concurrent", () => {
    const { result, trace } = explore({ variant: "own-counter" })
    expect(result.violation).toMatchObject({ property: "ClocksMatchHappensBefore", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(3)
    expect((trace().steps.at(-1)!.lanes["n2"] as Lane).log).toEqual(["n1#1 [n1:1]", "n2#1 [n2:1]"])
  })

  it("own-counter breaks causal delivery too, once the clocks are not watched", () => {
    const { result } = explore({ variant: "own-counter" }, (system) => ({ ...system, properties: [causalDelivery] as AnySystemSpec["properties"] }))
    expect(result.violation).toMatchObject({ property: "CausalDelivery", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(4)
  })
})
