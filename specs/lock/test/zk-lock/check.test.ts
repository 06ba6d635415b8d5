import { expectCaught, expectHolds } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { zkLockSpec } from "../../src/index.ts"

type ClientLane = { readonly phase?: string }

const everyWitness = ["LockHeld", "HandedOver", "EveryClientFinished"]

describe("zk-lock, checked exhaustively", () => {
  it.each([
    // overrides, what the check gives; with the defaults a holder whose session expired may still act as holder: the
    // exclusion is among live sessions only
    [{}, { states: 55_072, reached: [...everyWitness, "HolderExpiredUnaware"] }],
    [{ expiries: 0 }, { states: 4_702, reached: everyWitness }],
    [{ network: "unordered" }, { states: 111_292, reached: everyWitness }]
  ] as const)("%j: mutual exclusion among live sessions and no herd, every sometimes reached: %j", (overrides, claim) => {
    expectHolds(zkLockSpec, overrides, claim)
  })
})

describe("zk-lock's known bugs, each caught", () => {
  it("assume-lowest: a waiting predecessor's session expires, and its successor takes the lock beside the holder", () => {
    const { trace } = expectCaught(zkLockSpec, { variant: "assume-lowest" }, { property: "MutualExclusion", depth: 13 })
    const steps = trace().steps
    expect(steps.map((s) => s.action).slice(-2)).toEqual(["zk timer expire session of c2", "c3 receives watch: NodeDeleted /lock/n-2 from zk"])
    const last = steps.at(-1)!.lanes
    expect([(last["c1"] as ClientLane).phase, (last["c3"] as ClientLane).phase]).toEqual(["holding", "holding"])
  })

  it("herd: a waiter watching the parent is woken by another client's create", () => {
    const { trace } = expectCaught(zkLockSpec, { variant: "herd" }, { property: "WokenOnlyByPredecessor", depth: 6 })
    expect(trace().steps.map((s) => s.event)).toContainEqual(
      expect.objectContaining({ _tag: "Deliver", to: "zk", message: "create /lock/n- EPHEMERAL_SEQUENTIAL", sent: expect.arrayContaining([{ to: "c2", message: "watch: NodeChildrenChanged /lock" }]) })
    )
  })
})
