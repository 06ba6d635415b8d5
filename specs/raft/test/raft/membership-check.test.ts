import { check, replay, systemModel } from "@parley/checker"
import { expectHolds } from "@parley/checker/testing"
import { defaultConfig } from "@parley/core"
import { describe, expect, it } from "vitest"
import { raftSpec } from "../../src/index.ts"

/**
 * Membership changes (thesis §4.1) and leadership transfer (§3.10) as
 * `parley check raft --membership … --transfer` runs them, on one thread, so
 * the states counted are the same on every run. The reducer's behaviour in
 * each is read in the scenarios (membership-rule.txt, transfer.txt).
 */

const LONG = 600_000

/** No client and no crash: the cluster's own entries (noops and configurations) are what there is to lose. */
const quiet = { clients: 0, crashes: 0 }

describe("raft with membership changes and leadership transfer, checked exhaustively", () => {
  it("adding n4 and removing n1 in one term: every property holds, both changes commit, and n1 stops once removed", () => {
    expectHolds(raftSpec, { ...quiet, membership: "add-remove", "max-term": 1 }, {
      states: 77_502,
      reached: ["LeaderElected", "MembershipChangeCommitted", "RemovedNodeStopped"],
      reachedOnly: true
    })
  }, LONG)

  it("a leader asked to hand over, in two terms: every property holds and a later leader is elected", () => {
    expectHolds(raftSpec, { ...quiet, transfer: true, "max-term": 2 }, {
      states: 104_529,
      reached: ["LeaderElected", "LaterLeaderElected"],
      reachedOnly: true
    })
  }, LONG)
})

/**
 * The single-server-change bug needs two configurations changed from one
 * (four members, a spare to add, n1 to remove) and three terms: n1 adds n5
 * in term 1, n2 removes n1 in term 2 and commits with n3, n1 wins term 3
 * with n4 and n5. Only n1 and n2 need to campaign (--campaigners 2). BFS
 * at these bounds did not finish in 15 minutes on the shared machine
 * (past depth 17 at 190,000 states with every node campaigning); seeded
 * random walks find it in seconds, reproducibly, and the correct reducer
 * runs the same walks without a violation.
 */
const bugBounds = {
  nodes: 4,
  membership: "add-remove",
  clients: 0,
  crashes: 0,
  "max-term": 3,
  "max-in-flight": 0,
  "max-log": 3,
  campaigners: 2
}

const walk = (variant: string, walks: number) => {
  const built = raftSpec.build({ ...defaultConfig(raftSpec), ...bugBounds, variant })
  if (built._tag !== "System") throw new Error("raft builds an actor system")
  const model = systemModel(built.system)
  return { model, result: check(model, { strategy: "sim", walks, seed: 0, maxDepth: 40 }) }
}

describe("membership-without-commit: a change started before the leader commits an entry of its term", () => {
  it("loses a committed entry: a term-3 leader lacks what the removal committed (LeaderCompleteness), in 33 steps", () => {
    const { model, result } = walk("membership-without-commit", 2_000)
    expect(result.violation?.property).toBe("LeaderCompleteness")
    expect(result.violation!.path.actionIndices.length).toBe(33)
    const { steps } = replay(model, result.violation!.path)
    const invariant = model.properties.find((p) => p.name === "LeaderCompleteness")!
    expect(invariant.holds(steps.at(-1)!.state)).toBe(false)
  }, LONG)

  it("the correct reducer, on the same seeded walks and more, breaks nothing and commits both changes", () => {
    const { result } = walk("correct", 4_000)
    expect(result.violation).toBeUndefined()
    expect(result.reached.map((r) => r.property)).toEqual(expect.arrayContaining(["MembershipChangeCommitted", "RemovedNodeStopped"]))
  }, LONG)
})
