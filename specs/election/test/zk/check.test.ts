import { explore } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { zkElectionSpec } from "../../src/index.ts"

type Lane = { readonly phase?: string; readonly own?: number | null; readonly watches?: ReadonlyArray<string> }

describe("zk election, checked exhaustively", () => {
  it.each([
    // overrides, distinct states
    [{}, 37_384],
    [{ expiries: 0 }, 1_849]
  ] as const)("%j: OneLiveLeader, LeaderHoldsLowest, NoHerd and AgreementWhenQuiet hold in all %i states", (overrides, states) => {
    const { result } = explore(zkElectionSpec, overrides)
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
    expect(result.distinctStates).toBe(states)
  })

  it("elects a new leader after the first one's session expired; an expired leader may still believe it leads", () => {
    const { result } = explore(zkElectionSpec, {})
    expect(result.reached.map((r) => r.property)).toEqual(
      expect.arrayContaining(["LeaderElected", "FailoverLeader", "Rejoined", "LeaderExpiredUnaware"])
    )
  })
})

describe("zk election's known bugs, each caught", () => {
  it("assume-lowest: a follower's session expires and its successor leads without looking", () => {
    const { result, trace } = explore(zkElectionSpec, { variant: "assume-lowest" })
    expect(result.violation).toMatchObject({ property: "LeaderHoldsLowest", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(10)
    const steps = trace().steps
    expect(steps.map((s) => s.event)).toContainEqual(expect.objectContaining({ _tag: "Timer", node: "zk" }))
    expect(steps.at(-1)!.event).toMatchObject({ _tag: "Deliver", from: "zk", message: expect.stringMatching(/NodeDeleted/) })
  })

  it("watch-leader: two nodes watch the leader's znode", () => {
    const { result, trace } = explore(zkElectionSpec, { variant: "watch-leader" })
    expect(result.violation).toMatchObject({ property: "NoHerd", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(11)
    expect((trace().steps.at(-1)!.lanes["zk"] as Lane).watches).toEqual(["n-1: n2", "n-1: n3"])
  })
})
