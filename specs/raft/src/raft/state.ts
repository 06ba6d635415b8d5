/**
 * One Raft node's state, the configuration every node of a cluster shares,
 * and the small log arithmetic the rules are written in. Indices are
 * absolute and 1-based as in the paper: a node keeps a snapshot through
 * `snapshot.index` (index 0 with term 0 is the empty prefix every log
 * shares) and the entries after it, entry `i` at `entryOf(s, i)`.
 */
import type { NodeId, Output } from "@parley/core"
import type { Buckets, KvSession } from "@parley/kv"
import { entryAt, logLength } from "./log.ts"
import type { RaftLog, Snapshot } from "./messages.ts"
import { noReads } from "./read-state.ts"
import type { LeaderReads } from "./read-state.ts"
import type { Entry, RaftMessage, RaftResponse, RaftTimer } from "./messages.ts"

export type Role = "follower" | "precandidate" | "candidate" | "leader"

/** What a leader knows of one follower's log (Raft paper, Figure 2: nextIndex, matchIndex). */
export interface Progress {
  readonly next: number
  readonly match: number
  /** Whether the follower answered since the last CheckQuorum round. */
  readonly active: boolean
  /**
   * A snapshot sent in several chunks, and the first part of the chunk in
   * flight: kept until the follower holds all of it, even if the leader has
   * taken a newer one since. Absent when none is, or it went in one chunk.
   */
  readonly sending?: { readonly snapshot: Snapshot; readonly offset: number }
  /** The last entry a pipelined append sent it (replication.ts `appendNewEntry`), until it answers for that entry or refuses one. */
  readonly pipelined?: number
}

/** The chunks of a leader's snapshot a follower has received so far: the first `received` parts, merged. */
export interface IncomingSnapshot {
  readonly index: number
  readonly term: number
  readonly received: number
  readonly store: Snapshot["store"]
  readonly sessions: Snapshot["sessions"]
  readonly members?: Snapshot["members"]
}

/** A log with the snapshot it follows: a live node's or the durable state of a crashed one. */
export interface LogView {
  readonly snapshot: Snapshot
  /** The entries after `snapshot.index`. */
  readonly log: RaftLog
}

/** The last command a client had applied and what it returned, so a retry takes effect once (thesis §6.3). */
export type Session = KvSession

export interface RaftState {
  readonly self: NodeId
  // Durable: made durable before the step's messages leave (Figure 2).
  readonly term: number
  readonly votedFor: NodeId | null
  /** The applied state through its index, taken every `snapshotEvery` applied entries or installed from a leader (§7). */
  readonly snapshot: Snapshot
  /** The entries after the snapshot's index. */
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
  /** A follower's snapshot in chunks, until its last chunk arrives; null otherwise. */
  readonly incoming: IncomingSnapshot | null
  /** A leader handing leadership to this follower (transfer.ts); absent otherwise. */
  readonly transferTo?: NodeId
  /** A leader's reads answered without a log entry (read-state.ts); `noReads` on other roles. */
  readonly reads: LeaderReads
  /**
   * With lease reads, a node that restarted grants no vote until its
   * election timer fires: before it crashed it may have answered a round
   * of heartbeats on which a leader's lease still stands (reads.ts).
   */
  readonly holdVotes?: true
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
  /** A follower installs any snapshot it is sent, one at or below its commit index included, and drops its whole log for it (§7). */
  readonly staleSnapshot: boolean
  /** A new leader starts a membership change before it has committed an entry of its own term (the single-server-change bug, raft-dev 2015). */
  readonly changeBeforeCommit: boolean
  /** With lease reads, a leader whose lease timer fired keeps serving reads on the lease it held, and never renews it. */
  readonly leasePastExpiry: boolean
}

export const noBugs: RaftBugs = {
  commitPriorTerm: false,
  noLogCheck: false,
  forgetVote: false,
  staleRead: false,
  duplicateAppend: false,
  replayUncommitted: false,
  staleSnapshot: false,
  changeBeforeCommit: false,
  leasePastExpiry: false
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
  /**
   * A leader sends a new entry at once to a follower whose only unanswered
   * entry is the one before it, committed by the others, rather than when
   * it answers (replication.ts `appendNewEntry`); absent or false: only to
   * a follower that answered for everything it was sent.
   */
  readonly pipelinedAppends?: boolean
  /** Client sessions idle this long by the log's time end (thesis §6.3); the default is state-machine.ts's. Only stamped requests carry time. */
  readonly sessionExpiryMs?: number
  /** A snapshot once this many entries were applied past the last one, and the log it covers dropped (§7); absent or 0: never. */
  readonly snapshotEvery?: number
  /** The most bytes (estimated) of a snapshot in one InstallSnapshot; absent: the whole snapshot in one. */
  readonly snapshotChunkBytes?: number
  /**
   * Membership changes (membership.ts, thesis §4.1): on when present, and
   * `nodes` is then the first configuration. `add` and `remove` name the
   * changes the model's environment may ask a leader for (reconfigure.ts).
   */
  readonly membership?: { readonly add?: NodeId; readonly remove?: NodeId }
  /** The model's environment may ask a leader to hand leadership to the next member (transfer.ts, thesis §3.10). */
  readonly leadershipTransfer?: boolean
  /**
   * Lease reads (etcd's ReadOnlyLeaseBased): a leader whose lease holds
   * answers a Get from its store at once, without a round of heartbeats.
   * Needs CheckQuorum, and clocks whose drift the lease's timer allows for
   * (reads.ts). Absent or false: every read takes a round (ReadIndex).
   */
  readonly leaseReads?: boolean
  readonly bugs: RaftBugs
}

export type RaftOutput = Output<RaftMessage, RaftTimer, RaftResponse>

/** Outputs collected while one event is handled; the handler returns them with the new state. */
export type Outbox = Array<RaftOutput>

export const lastIndex = (v: LogView): number => v.snapshot.index + logLength(v.log)

/** Entry `index`, or undefined when the snapshot covers it or the log ends before it. */
export const entryOf = (v: LogView, index: number): Entry | undefined => entryAt(v.log, index - v.snapshot.index)

/** The term of entry `index`: the snapshot's at its index, -1 where unknown (compacted before it, or past the end). */
export const termAt = (v: LogView, index: number): number =>
  index === v.snapshot.index ? v.snapshot.term : index < v.snapshot.index ? -1 : entryAt(v.log, index - v.snapshot.index)?.term ?? -1

export const lastTerm = (v: LogView): number => termAt(v, lastIndex(v))

/** §5.4.1: a candidate's log is at least as up-to-date as the voter's. */
export const upToDate = (s: RaftState, candidateLastIndex: number, candidateLastTerm: number): boolean => {
  const ownTerm = lastTerm(s)
  return candidateLastTerm > ownTerm || (candidateLastTerm === ownTerm && candidateLastIndex >= lastIndex(s))
}

/** A node that starts, or restarts from what its disk kept: a follower that has applied its snapshot, and nothing after it. */
export const initialState = (self: NodeId, term: number, votedFor: NodeId | null, snapshot: Snapshot, log: RaftLog): RaftState => ({
  self,
  term,
  votedFor,
  snapshot,
  log,
  role: "follower",
  leader: null,
  votes: [],
  commitIndex: snapshot.index,
  lastApplied: snapshot.index,
  store: snapshot.store,
  sessions: snapshot.sessions,
  progress: {},
  incoming: null,
  reads: noReads
})
