import { send, setTimer } from "@parley/core"
import type { NodeId } from "@parley/core"
import type { RequestVote, Vote } from "./messages.ts"
import { becomeLeader } from "./replication.ts"
import { withVote } from "./roles.ts"
import { hasQuorum, isMember, membersOf } from "./membership.ts"
import { lastIndex, lastTerm, upToDate } from "./state.ts"
import type { Outbox, RaftConfig, RaftState } from "./state.ts"

type RequestVoteMessage = typeof RequestVote.Type
type VoteMessage = typeof Vote.Type

const requestVotes = (config: RaftConfig, s: RaftState, term: number, pre: boolean, out: Outbox, transfer = false): void => {
  for (const peer of membersOf(config, s)) {
    if (peer === s.self) continue
    const request = { _tag: "RequestVote", term, pre, lastLogIndex: lastIndex(s), lastLogTerm: lastTerm(s) } as const
    out.push(send(peer, transfer ? { ...request, transfer } : request))
  }
}

/** §5.2: a new term, a vote for itself, RequestVote to every peer; `transfer` when the leader asked for it (transfer.ts). */
export const campaign = (config: RaftConfig, s: RaftState, out: Outbox, transfer = false): RaftState => {
  const candidate: RaftState = {
    ...s,
    term: s.term + 1,
    votedFor: s.self,
    role: "candidate",
    leader: null,
    votes: [s.self],
    progress: {}
  }
  requestVotes(config, candidate, candidate.term, false, out, transfer)
  return hasQuorum(config, candidate, candidate.votes) ? becomeLeader(config, candidate, out) : candidate
}

/**
 * No leader was heard for an election timeout. With PreVote the node first
 * asks whether a majority would vote for it, without raising its term, so a
 * node cut off from the cluster does not come back with a term that deposes
 * a working leader (thesis §9.6).
 */
export const onElectionTimeout = (config: RaftConfig, s: RaftState, out: Outbox): RaftState => {
  if (s.role === "leader") return s
  out.push(setTimer("election"))
  // Thesis §4.2.2: a node outside its configuration (removed, or not added yet) does not campaign.
  if (config.membership !== undefined && !isMember(config, s)) return s.leader === null ? s : { ...s, leader: null }
  if (!config.preVote) return campaign(config, s, out)
  const precandidate: RaftState = { ...s, role: "precandidate", leader: null, votes: [s.self] }
  requestVotes(config, precandidate, s.term + 1, true, out)
  return hasQuorum(config, precandidate, precandidate.votes) ? campaign(config, precandidate, out) : precandidate
}

const logAcceptable = (config: RaftConfig, s: RaftState, m: RequestVoteMessage): boolean =>
  config.bugs.noLogCheck || upToDate(s, m.lastLogIndex, m.lastLogTerm)

/**
 * A PreVote changes nothing here: it is granted to a candidate with an
 * up-to-date log for a later term, by a node that knows no live leader.
 */
export const onPreVote = (config: RaftConfig, s: RaftState, from: NodeId, m: RequestVoteMessage, out: Outbox): RaftState => {
  const granted = m.term > s.term && s.leader === null && logAcceptable(config, s, m)
  out.push(send(from, { _tag: "Vote", term: granted ? m.term : s.term, pre: true, granted }))
  return s
}

/** §5.2 and §5.4.1: one vote per term, first come first served, only for a log at least as up-to-date. */
export const onRequestVote = (config: RaftConfig, s: RaftState, from: NodeId, m: RequestVoteMessage, out: Outbox): RaftState => {
  const granted = m.term === s.term && (s.votedFor === null || s.votedFor === from) && logAcceptable(config, s, m)
  out.push(send(from, { _tag: "Vote", term: s.term, pre: false, granted }))
  if (!granted) return s
  out.push(setTimer("election"))
  return s.votedFor === from ? s : { ...s, votedFor: from }
}

/** A (pre)candidate counts votes; a majority starts the real campaign, or makes the candidate leader. */
export const onVote = (config: RaftConfig, s: RaftState, from: NodeId, m: VoteMessage, out: Outbox): RaftState => {
  if (!m.granted) return s
  if (m.pre) {
    if (s.role !== "precandidate" || m.term !== s.term + 1) return s
    const precandidate = { ...s, votes: withVote(s.votes, from) }
    return hasQuorum(config, precandidate, precandidate.votes) ? campaign(config, precandidate, out) : precandidate
  }
  if (s.role !== "candidate" || m.term !== s.term) return s
  const candidate = { ...s, votes: withVote(s.votes, from) }
  return hasQuorum(config, candidate, candidate.votes) ? becomeLeader(config, candidate, out) : candidate
}
