import { expectCaught, expectHolds } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { ringSpec } from "../../src/index.ts"

type Lane = { readonly leader?: string | null; readonly epoch?: number; readonly skipped?: ReadonlyArray<string> }

describe("ring, checked exhaustively", () => {
  it.each([
    // overrides, what the check gives; the defaults repair the ring round a crashed node and elect a new leader in a later epoch
    [{}, { states: 10_311, reached: ["LeaderElected", "RingRepaired", "NewLeaderAfterCrash"] }],
    [{ nodes: 3, crashes: 1 }, { states: 247 }],
    [{ crashes: 0 }, { states: 27 }],
    [{ network: "unordered", nodes: 3, crashes: 1 }, { states: 528 }],
    // as the cluster runs: a node skips its successor only when a Ping to it goes unanswered, and passes its last message on again
    [{ probes: true, nodes: 2, crashes: 1 }, { states: 2_449, reached: ["LeaderElected", "RingRepaired", "NewLeaderAfterCrash"] }],
    [{ probes: true, nodes: 3, crashes: 0 }, { states: 28_349 }]
  ] as const)("%j: OneLeaderPerEpoch and AgreementWhenQuiet hold, every sometimes reached: %j", (overrides, claim) => {
    expectHolds(ringSpec, overrides, claim)
  })
})

describe("ring's known bugs, each caught", () => {
  it("forward-smaller: a lower candidate is passed on instead of swallowed, comes home and wins beside the highest", () => {
    const { trace } = expectCaught(ringSpec, { variant: "forward-smaller" }, { property: "OneLeaderPerEpoch", depth: 8 })
    const lanes = trace().steps.at(-1)!.lanes
    const selfLeaders = Object.entries(lanes).filter(([id, lane]) => (lane as Lane).leader === id)
    expect(selfLeaders.length).toBe(2)
    expect(new Set(selfLeaders.map(([, lane]) => (lane as Lane).epoch)).size).toBe(1)
  })

  it("same-epoch: the leader crashes, its predecessor skips it and elects again in the same epoch", () => {
    const { trace } = expectCaught(ringSpec, { variant: "same-epoch" }, { property: "OneLeaderPerEpoch", depth: 10 })
    const events = trace().steps.map((s) => s.event)
    expect(events.map((e) => e._tag)).toContain("Crash")
    expect(events).toContainEqual(expect.objectContaining({ _tag: "Timer", timer: "check-successor" }))
  })
})
