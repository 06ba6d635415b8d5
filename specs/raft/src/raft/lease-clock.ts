/**
 * The clock assumption lease reads stand on, as the model's boundary. A
 * leader arms its lease timer when it sends a round of heartbeats; each
 * follower that answers the round restarted its election timer on receiving
 * it, later. With the lease shorter than the shortest election timeout by
 * more than the clocks drift apart, the lease ends before any of those
 * followers times out. The model's timers fire in any order, which is
 * unbounded drift; this boundary leaves out the behaviours the assumption
 * rules out: a follower that answered the lease's round (its answer known
 * to the leader or on its way) timing out while the lease timer is armed.
 * A variant that serves reads once the timer fired (lease-past-expiry) is
 * not protected by it, which is the bug. It reads the timer itself, not
 * the leader's idea of its lease.
 */
import { inFlight } from "@parley/core"
import type { NodeId } from "@parley/core"
import type { RaftSystemState } from "./properties.ts"
import type { RaftState } from "./state.ts"

type Slot = RaftSystemState["nodes"][number]

/** Whether `peer` answered `leader`'s round `round` or a later one: the leader knows it, or the answer is in flight. */
const answered = (s: RaftSystemState, leader: RaftState, peer: NodeId, round: number): boolean => {
  if ((leader.reads.acked[peer] ?? 0) >= round) return true
  for (const envelope of inFlight(s.network)) {
    if (envelope.kind !== "message" || envelope.from !== peer || envelope.to !== leader.self) continue
    const m = envelope.body
    if (m._tag === "AppendResult" && m.term === leader.term && (m.read ?? 0) >= round) return true
  }
  return false
}

/**
 * Whether a node has not timed out since it followed `leader`: it is down
 * (and votes for nobody), follows it in its term, or restarted and holds
 * its votes until its election timer fires.
 */
const stillFollows = (slot: Slot, leader: RaftState): boolean => {
  if (!slot.up) return true
  const s = slot.state
  return s.term === leader.term && s.role === "follower" && (s.leader === leader.self || s.holdVotes === true)
}

/** No follower a live lease stands on has timed out while the lease's timer runs. */
export const leaseClockHolds = (s: RaftSystemState, nodes: ReadonlyArray<NodeId>): boolean => {
  for (const slot of s.nodes) {
    if (!slot.up || slot.state.role !== "leader" || slot.state.reads.lease === null || !slot.timers.includes("lease")) continue
    const leader = slot.state
    const round = leader.reads.lease!.round
    for (let i = 0; i < nodes.length; i++) {
      const peer = nodes[i]!
      if (peer !== leader.self && !stillFollows(s.nodes[i]!, leader) && answered(s, leader, peer, round)) return false
    }
  }
  return true
}
