import { explore } from "@parley/checker/testing"
import type { AnySystemSpec } from "@parley/core"
import { describe, expect, it } from "vitest"
import { dynamoRegisterSpec, noLostWrite, siblingsResolved } from "../../src/index.ts"

type Lane = { readonly siblings?: ReadonlyArray<string> }

describe("the Dynamo-style register, checked exhaustively", () => {
  it.each([
    // overrides, distinct states
    [{}, 132_237],
    [{ network: "ordered" }, 56_021],
    [{ replicas: 2 }, 6_389]
  ] as const)("%j: no acknowledged write lost, superseded versions dropped, siblings made and resolved, in all %i states", (overrides, states) => {
    const { result } = explore(dynamoRegisterSpec, overrides)
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
    expect(result.reached.map((r) => r.property)).toEqual(expect.arrayContaining(["SiblingsExist", "SiblingsResolved"]))
    expect(result.distinctStates).toBe(states)
  })

  it("one write per client: siblings appear but no write is left to resolve them", () => {
    const { result } = explore(dynamoRegisterSpec, { writes: 1 })
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual(["SiblingsResolved"])
    expect(result.distinctStates).toBe(1_541)
  })
})

describe("the register's known bugs, each caught", () => {
  it("last-writer-wins: n1 drops c1's acknowledged write for c2's concurrent one, and no replica has it", () => {
    const { result, trace } = explore(dynamoRegisterSpec, { variant: "last-writer-wins" })
    expect(result.violation).toMatchObject({ property: "NoLostWrite", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(4)
    expect(result.distinctStates).toBe(29)
    const lanes = trace().steps.at(-1)!.lanes
    expect(["n1", "n2", "n3"].map((n) => (lanes[n] as Lane).siblings)).toEqual([["c2.1 [c2:1]"], ["c2.1 [c2:1]"], []])
  })

  it("ignore-context: c1's second write read c2's but does not dominate it, so n1 keeps both", () => {
    const { result, trace } = explore(dynamoRegisterSpec, { variant: "ignore-context" })
    expect(result.violation).toMatchObject({ property: "SupersededDropped", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(7)
    expect(result.distinctStates).toBe(341)
    expect((trace().steps.at(-1)!.lanes["n1"] as Lane).siblings).toEqual(["c1.2 [c1:2]", "c2.1 [c2:1]"])
  })

  it("ignore-context loses no write, it only never resolves: without SupersededDropped, NoLostWrite holds and SiblingsResolved is unreached", () => {
    const adjust = (system: AnySystemSpec): AnySystemSpec => ({
      ...system,
      properties: [noLostWrite, siblingsResolved] as AnySystemSpec["properties"]
    })
    const { result } = explore(dynamoRegisterSpec, { variant: "ignore-context", replicas: 2 }, { adjust })
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual(["SiblingsResolved"])
  })
})
