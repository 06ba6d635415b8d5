import { explore } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { zkLockSpec } from "../../src/index.ts"

type ClientLane = { readonly phase?: string }

describe("zk-lock, checked exhaustively", () => {
  it.each([
    // overrides, distinct states
    [{}, 55_072],
    [{ expiries: 0 }, 4_702],
    [{ network: "unordered" }, 111_292]
  ] as const)("%j: mutual exclusion among live sessions and no herd in all %i states, every sometimes reached", (overrides, states) => {
    const { result } = explore(zkLockSpec, overrides)
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
    expect(result.reached.map((r) => r.property)).toEqual(expect.arrayContaining(["LockHeld", "HandedOver", "EveryClientFinished"]))
    expect(result.distinctStates).toBe(states)
  })

  it("a holder whose session expired may still act as holder: the exclusion is among live sessions only", () => {
    const { result } = explore(zkLockSpec, {})
    expect(result.reached.map((r) => r.property)).toContain("HolderExpiredUnaware")
  })
})

describe("zk-lock's known bugs, each caught", () => {
  it("assume-lowest: a waiting predecessor's session expires, and its successor takes the lock beside the holder", () => {
    const { result, trace } = explore(zkLockSpec, { variant: "assume-lowest" })
    expect(result.violation).toMatchObject({ property: "MutualExclusion", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(13)
    const steps = trace().steps
    expect(steps.map((s) => s.action).slice(-2)).toEqual(["zk timer expire session of c2", "c3 receives watch: NodeDeleted /lock/n-2 from zk"])
    const last = steps.at(-1)!.lanes
    expect([(last["c1"] as ClientLane).phase, (last["c3"] as ClientLane).phase]).toEqual(["holding", "holding"])
  })

  it("herd: a waiter watching the parent is woken by another client's create", () => {
    const { result, trace } = explore(zkLockSpec, { variant: "herd" })
    expect(result.violation).toMatchObject({ property: "WokenOnlyByPredecessor", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(6)
    expect(trace().steps.map((s) => s.event)).toContainEqual(
      expect.objectContaining({ _tag: "Deliver", to: "zk", message: "create /lock/n- EPHEMERAL_SEQUENTIAL", sent: expect.arrayContaining([{ to: "c2", message: "watch: NodeChildrenChanged /lock" }]) })
    )
  })
})
