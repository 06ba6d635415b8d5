import { expectCaught, expectHolds } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { zkElectionSpec } from "../../src/index.ts"

type Lane = { readonly phase?: string; readonly own?: number | null; readonly watches?: ReadonlyArray<string> }

describe("zk election, checked exhaustively", () => {
  it.each([
    // overrides, what the check gives; the defaults elect a new leader after the first one's session expired, and an
    // expired leader may still believe it leads
    [{}, { states: 37_384, reached: ["LeaderElected", "FailoverLeader", "Rejoined", "LeaderExpiredUnaware"] }],
    [{ expiries: 0 }, { states: 1_849 }],
    // as the cluster runs: nodes ping, each ping puts off the session's expiry and says the pending call again
    [{ keepalive: true, nodes: 2 }, { states: 34_379, reached: ["LeaderElected", "FailoverLeader", "Rejoined", "LeaderExpiredUnaware"] }],
    // processes crash too: the service recovers its tree and sessions, a node opens a newer session, which ends its old one
    [{ keepalive: true, nodes: 1, crashes: 2 }, { states: 2_010 }],
    [{ nodes: 2, crashes: 1 }, { states: 9_119 }]
  ] as const)("%j: OneLiveLeader, LeaderHoldsLowest, NoHerd and AgreementWhenQuiet hold, every sometimes reached: %j", (overrides, claim) => {
    expectHolds(zkElectionSpec, overrides, claim)
  })
})

describe("zk election's known bugs, each caught", () => {
  it("assume-lowest: a follower's session expires and its successor leads without looking", () => {
    const { trace } = expectCaught(zkElectionSpec, { variant: "assume-lowest" }, { property: "LeaderHoldsLowest", depth: 10 })
    const steps = trace().steps
    expect(steps.map((s) => s.event)).toContainEqual(expect.objectContaining({ _tag: "Timer", node: "zk" }))
    expect(steps.at(-1)!.event).toMatchObject({ _tag: "Deliver", from: "zk", message: expect.stringMatching(/NodeDeleted/) })
  })

  it("watch-leader: two nodes watch the leader's znode", () => {
    const { trace } = expectCaught(zkElectionSpec, { variant: "watch-leader" }, { property: "NoHerd", depth: 11 })
    expect((trace().steps.at(-1)!.lanes["zk"] as Lane).watches).toEqual(["n-1: n2", "n-1: n3"])
  })
})
