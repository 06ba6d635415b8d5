import { expectCaught, expectHolds } from "@parley/checker/testing"
import type { AnySystemSpec } from "@parley/core"
import { describe, expect, it } from "vitest"
import { dynamoRegisterSpec, noLostWrite, siblingsResolved } from "../../src/index.ts"

/** A replica's lane: each key's siblings; the model's clients write the key `register`. */
type Lane = { readonly register?: ReadonlyArray<string> }

describe("the Dynamo-style register, checked exhaustively", () => {
  it.each([
    // overrides, what the check gives
    [{}, { states: 132_237, reached: ["SiblingsExist", "SiblingsResolved"] }],
    [{ network: "ordered" }, { states: 56_021, reached: ["SiblingsExist", "SiblingsResolved"] }],
    [{ replicas: 2 }, { states: 6_389, reached: ["SiblingsExist", "SiblingsResolved"] }],
    // One write per client: siblings appear but no write is left to resolve them.
    [{ writes: 1 }, { states: 1_541, unreached: ["SiblingsResolved"] }],
    // c1 and c3 write through n1 concurrently: the dots keep both, where a clock of n1's counter would order them.
    [{ clients: 3, replicas: 2, writes: 1 }, { states: 56_625, reached: ["SiblingsExist"], unreached: ["SiblingsResolved"] }],
    // The cluster's repair: a network that loses any message, replication resent until acknowledged (one copy in flight a link).
    [{ replicas: 2, writes: 1, sync: true, lossy: true }, { states: 56_092, reached: ["SiblingsExist"], unreached: ["SiblingsResolved"] }]
  ] as const)("%j: no acknowledged write lost, superseded versions dropped: %j", (overrides, claim) => {
    expectHolds(dynamoRegisterSpec, overrides, claim)
  })
})

describe("the register's known bugs, each caught", () => {
  it("last-writer-wins: n1 drops c1's acknowledged write for c2's concurrent one, and no replica has it", () => {
    const { trace } = expectCaught(dynamoRegisterSpec, { variant: "last-writer-wins" }, { property: "NoLostWrite", depth: 4, states: 29 })
    const lanes = trace().steps.at(-1)!.lanes
    expect(["n1", "n2", "n3"].map((n) => (lanes[n] as Lane).register ?? [])).toEqual([["c2.1 [n2:1]"], ["c2.1 [n2:1]"], []])
  })

  it("ignore-context: c1's second write read c2's but does not dominate it, so n1 keeps both", () => {
    const { trace } = expectCaught(dynamoRegisterSpec, { variant: "ignore-context" }, { property: "SupersededDropped", depth: 7, states: 341 })
    expect((trace().steps.at(-1)!.lanes["n1"] as Lane).register).toEqual(["c1.2 [n1:2]", "c2.1 [n2:1]"])
  })

  it("ignore-context loses no write, it only never resolves: without SupersededDropped, NoLostWrite holds and SiblingsResolved is unreached", () => {
    const adjust = (system: AnySystemSpec): AnySystemSpec => ({
      ...system,
      properties: [noLostWrite, siblingsResolved] as AnySystemSpec["properties"]
    })
    expectHolds(dynamoRegisterSpec, { variant: "ignore-context", replicas: 2 }, { states: 6_389, unreached: ["SiblingsResolved"], adjust })
  })
})
