import { explore } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { ringSpec } from "../../src/index.ts"

type Lane = { readonly leader?: string | null; readonly epoch?: number; readonly skipped?: ReadonlyArray<string> }

describe("ring, checked exhaustively", () => {
  it.each([
    // overrides, distinct states
    [{}, 10_311],
    [{ nodes: 3, crashes: 1 }, 247],
    [{ crashes: 0 }, 27],
    [{ network: "unordered", nodes: 3, crashes: 1 }, 528]
  ] as const)("%j: OneLeaderPerEpoch and AgreementWhenQuiet hold in all %i states", (overrides, states) => {
    const { result } = explore(ringSpec, overrides)
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
    expect(result.distinctStates).toBe(states)
  })

  it("repairs the ring round a crashed node and elects a new leader in a later epoch", () => {
    const { result } = explore(ringSpec, {})
    expect(result.reached.map((r) => r.property)).toEqual(expect.arrayContaining(["LeaderElected", "RingRepaired", "NewLeaderAfterCrash"]))
  })
})

describe("ring's known bugs, each caught", () => {
  it("forward-smaller: a lower candidate is passed on instead of swallowed, comes home and wins beside the highest", () => {
    const { result, trace } = explore(ringSpec, { variant: "forward-smaller" })
    expect(result.violation).toMatchObject({ property: "OneLeaderPerEpoch", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(8)
    const lanes = trace().steps.at(-1)!.lanes
    const selfLeaders = Object.entries(lanes).filter(([id, lane]) => (lane as Lane).leader === id)
    expect(selfLeaders.length).toBe(2)
    expect(new Set(selfLeaders.map(([, lane]) => (lane as Lane).epoch)).size).toBe(1)
  })

  it("same-epoch: the leader crashes, its predecessor skips it and elects again in the same epoch", () => {
    const { result, trace } = explore(ringSpec, { variant: "same-epoch" })
    expect(result.violation).toMatchObject({ property: "OneLeaderPerEpoch", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(10)
    const events = trace().steps.map((s) => s.event)
    expect(events.map((e) => e._tag)).toContain("Crash")
    expect(events).toContainEqual(expect.objectContaining({ _tag: "Timer", timer: "check-successor" }))
  })
})
