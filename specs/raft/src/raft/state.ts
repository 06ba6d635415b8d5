/**
 * One Raft node's state, the configuration every node of a cluster shares,
 * and the small log arithmetic the rules are written in. Indices are 1-based
 * as in the paper: entry `i` is `entryAt(log, i)` (see log.ts), and index 0 with term 0 is the
 * empty prefix every log shares.
 */
import type { NodeId, Output } from "@parley/core"
import { emptyBuckets } from "@parley/kv"
import type { Buckets, KvSession } from "@parley/kv"
import { entryAt, logLength } from "./log.ts"
import type { RaftLog } from "./messages.ts"
import type { RaftMessage, RaftResponse, RaftTimer } from "./messages.ts"

export type Role = "follower" | "precandidate" | "candidate" | "leader"

/** What a leader knows of one follower's log (Raft paper, Figure 2: nextIndex, matchIndex). */
export interface Progress {
  readonly next: number
  readonly match: number
  /** Whether the follower answered since the last CheckQuorum round. */
  readonly active: boolean
}

/** The last command a client had applied and what it returned, so a retry takes effect once (thesis §6.3). */
export type Session = KvSession

export interface RaftState {
  readonly self: NodeId
  // Durable: made durable before the step's messages leave (Figure 2).
  readonly term: number
  readonly votedFor: NodeId | null
  readonly log: RaftLog
  // Volatile.
  readonly role: Role
  /** The leader of `term`, once heard from; a follower forgets it when its election timer fires. */
  readonly leader: NodeId | null
  /** A (pre)candidate's granted votes, itself included, sorted. */
  readonly votes: ReadonlyArray<NodeId>
  readonly commitIndex: number
  readonly lastApplied: number
  /** The replicated key-value store: the log's commands up to `lastApplied`, applied in order. */
  readonly store: Buckets<string>
  readonly sessions: Buckets<Session>
  /** A leader's view of each peer; empty on other roles. */
  readonly progress: Readonly<Record<NodeId, Progress>>
}

/**
 * Deliberate departures from Raft, each a known bug the checker must catch.
 * All false is Raft.
 */
export interface RaftBugs {
  /** Commit an earlier term's entry by counting replicas (paper §5.4.2, Figure 8). */
  readonly commitPriorTerm: boolean
  /** Grant votes without the candidate's-log-is-up-to-date check (§5.4.1). */
  readonly noLogCheck: boolean
  /** `votedFor` is not durable: a restarted node may vote twice in one term. */
  readonly forgetVote: boolean
  /** A leader answers Get from its store at once, without confirming it still leads. */
  readonly staleRead: boolean
  /** A follower appends what it is sent after its last entry, not at prevLogIndex + 1 (Figure 2, AppendEntries rule 4). */
  readonly duplicateAppend: boolean
  /** A restarted node replays its whole durable log into its store, as if everything it persisted were committed. */
  readonly replayUncommitted: boolean
}

export const noBugs: RaftBugs = {
  commitPriorTerm: false,
  noLogCheck: false,
  forgetVote: false,
  staleRead: false,
  duplicateAppend: false,
  replayUncommitted: false
}

export interface RaftConfig {
  /** Every node of the cluster, in a stable order. */
  readonly nodes: ReadonlyArray<NodeId>
  /** PreVote (thesis §9.6): campaign in a new term only after a majority says it would vote. */
  readonly preVote: boolean
  /**
   * CheckQuorum (thesis §6.2): a leader that heard from no majority during an
   * election timeout steps down, and a node that hears from a leader ignores
   * RequestVote until its own election timer fires (§4.2.3), as etcd pairs them.
   */
  readonly checkQuorum: boolean
  /** At most this many entries per AppendEntries (etcd's MaxSizePerMsg, counted in entries). */
  readonly maxEntriesPerAppend: number
  /** Client sessions idle this long by the log's time end (thesis §6.3); the default is state-machine.ts's. Only stamped requests carry time. */
  readonly sessionExpiryMs?: number
  readonly bugs: RaftBugs
}

export type RaftOutput = Output<RaftMessage, RaftTimer, RaftResponse>

/** Outputs collected while one event is handled; the handler returns them with the new state. */
export type Outbox = Array<RaftOutput>

export const lastIndex = (s: RaftState): number => logLength(s.log)

export const termAt = (log: RaftLog, index: number): number => (index === 0 ? 0 : entryAt(log, index)?.term ?? -1)

export const lastTerm = (s: RaftState): number => termAt(s.log, logLength(s.log))

export const quorum = (config: RaftConfig): number => Math.floor(config.nodes.length / 2) + 1

export const peersOf = (config: RaftConfig, self: NodeId): ReadonlyArray<NodeId> => config.nodes.filter((node) => node !== self)

/** §5.4.1: a candidate's log is at least as up-to-date as the voter's. */
export const upToDate = (s: RaftState, candidateLastIndex: number, candidateLastTerm: number): boolean => {
  const ownTerm = lastTerm(s)
  return candidateLastTerm > ownTerm || (candidateLastTerm === ownTerm && candidateLastIndex >= lastIndex(s))
}

export const initialState = (self: NodeId, term: number, votedFor: NodeId | null, log: RaftLog): RaftState => ({
  self,
  term,
  votedFor,
  log,
  role: "follower",
  leader: null,
  votes: [],
  commitIndex: 0,
  lastApplied: 0,
  store: emptyBuckets,
  sessions: emptyBuckets,
  progress: {}
})
