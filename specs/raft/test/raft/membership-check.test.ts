import { expectHolds } from "@parley/checker/testing"
import { describe, it } from "vitest"
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
