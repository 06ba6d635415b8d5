import { cancelTimer, setTimer } from "@parley/core"
import type { NodeId } from "@parley/core"
import type { Outbox, RaftState } from "./state.ts"

/**
 * Steps down to follower in `term` (the same or a higher one; a vote cast in
 * an earlier term does not carry over). A former leader stops its leader
 * timers and starts waiting for a leader again.
 */
export const becomeFollower = (s: RaftState, term: number, leader: NodeId | null, out: Outbox): RaftState => {
  if (s.role === "leader") out.push(cancelTimer("heartbeat"), cancelTimer("check-quorum"), setTimer("election"))
  // A transfer in progress (transfer.ts) ends with the leadership.
  const { transferTo: _, ...node } = s
  return {
    ...node,
    term,
    votedFor: term > s.term ? null : s.votedFor,
    role: "follower",
    leader,
    votes: [],
    progress: {}
  }
}

/** `votes` with `voter` added, kept sorted so equal vote sets are equal states. */
export const withVote = (votes: ReadonlyArray<NodeId>, voter: NodeId): ReadonlyArray<NodeId> =>
  votes.includes(voter) ? votes : [...votes, voter].sort()
