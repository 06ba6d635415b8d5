/**
 * What Raft promises (paper, Figure 3), as properties of the cluster the
 * checker explores, and the `sometimes` properties that show the interesting
 * states are reached at all. A crashed node's log is its durable one.
 * Indices are absolute: an entry a node compacted into its snapshot is
 * committed, and compared by the snapshot's last index and term alone.
 */
import { always, alwaysStep, equals, eventually, linearizable, sometimes } from "@parley/core"
import type { NodeSlot, Property, SystemSpecOf, SystemStateOf, TransitionProperty } from "@parley/core"
import { kvRequestSpec } from "@parley/kv"
import type { KvClientState, KvClientTimer } from "@parley/kv"
import { logSlice } from "./log.ts"
import { noHistory } from "./history.ts"
import type { RaftHistory } from "./history.ts"
import type { RaftDurable, RaftTimer } from "./messages.ts"
import type { RaftActor } from "./node.ts"
import { entryOf, lastIndex, lastTerm, termAt } from "./state.ts"
import type { LogView, RaftState } from "./state.ts"

/** Raft's nodes with the key-value store's scripted clients and the cluster's history; spec.ts builds one. */
export type RaftSystem = SystemSpecOf<RaftActor, KvClientState, KvClientTimer, RaftHistory>
export type RaftSystemState = SystemStateOf<RaftSystem>

type Slot = NodeSlot<RaftState, RaftTimer, RaftDurable>

const up = (s: RaftSystemState): ReadonlyArray<RaftState> => {
  const states: Array<RaftState> = []
  for (const node of s.nodes) if (node.up) states.push(node.state)
  return states
}

/** A node's log and snapshot: its live ones, or the durable ones a crashed node keeps. */
export const logOf = (node: Slot): LogView => (node.up ? node.state : node.durable)

/** What the cluster did, crashed nodes included (history.ts). */
const historyOf = (s: RaftSystemState): RaftHistory => s.ghost ?? noHistory

/** At most one leader per term, among every leader ever elected: a leader that crashed counts. */
export const electionSafety = always<RaftSystemState>("ElectionSafety", (s) => {
  const { elected } = historyOf(s)
  for (let i = 0; i < elected.length; i++) {
    for (let j = i + 1; j < elected.length; j++) if (elected[i]!.term === elected[j]!.term) return false
  }
  return true
})

/** Two logs with an entry of the same index and term hold the same entries up to there. */
export const logMatching = always<RaftSystemState>("LogMatching", (s) => {
  const logs = s.nodes.map(logOf)
  for (let i = 0; i < logs.length; i++) {
    for (let j = i + 1; j < logs.length; j++) if (!logsMatch(logs[i]!, logs[j]!)) return false
  }
  return true
})

/**
 * Below the later of the two snapshots only the snapshot's last entry is
 * known, by its term: if two logs share an entry above it, they share that
 * one too, and every entry between.
 */
const logsMatch = (a: LogView, b: LogView): boolean => {
  const floor = Math.max(a.snapshot.index, b.snapshot.index)
  let shared = Math.min(lastIndex(a), lastIndex(b))
  while (shared > floor && termAt(a, shared) !== termAt(b, shared)) shared--
  if (shared <= floor) return true
  if (floor > 0 && termAt(a, floor) !== termAt(b, floor)) return false
  for (let index = floor + 1; index <= shared; index++) if (!equals(entryOf(a, index), entryOf(b, index))) return false
  return true
}

/** Whether `holder` holds entry `index` as `node` does: an entry the holder compacted is committed, and one the node compacted is known by its snapshot's term at most. */
const holdsAsNode = (holder: LogView, node: LogView, index: number): boolean => {
  if (index <= holder.snapshot.index) return true
  if (index < node.snapshot.index) return index <= lastIndex(holder)
  if (index === node.snapshot.index) return termAt(holder, index) === node.snapshot.term
  return equals(entryOf(holder, index), entryOf(node, index))
}

/** Whether `holder` holds every entry `node` has committed, as `node` does. */
const holdsCommitted = (holder: LogView, node: RaftState): boolean => {
  if (holder.log === node.log && holder.snapshot === node.snapshot) return true
  for (let index = 1; index <= node.commitIndex; index++) if (!holdsAsNode(holder, node, index)) return false
  return true
}

/**
 * A committed entry is in the log of every leader of a later term. A node's
 * commit index was learned in its current term or earlier, so every leader
 * of a later term than the node's must hold its committed prefix.
 */
export const leaderCompleteness = always<RaftSystemState>("LeaderCompleteness", (s) => {
  const nodes = up(s)
  for (const leader of nodes) {
    if (leader.role !== "leader") continue
    for (const node of nodes) {
      if (node.term >= leader.term) continue
      if (!holdsCommitted(leader, node)) return false
    }
  }
  return true
})

/** The logs that could win an election now: each at least as up-to-date (§5.4.1) as a majority of all the logs, its own included. */
const electableLogs = (logs: ReadonlyArray<LogView>): ReadonlyArray<LogView> => {
  const terms = logs.map(lastTerm)
  const ends = logs.map(lastIndex)
  const electable: Array<LogView> = []
  for (let n = 0; n < logs.length; n++) {
    let behind = 0
    for (let m = 0; m < logs.length; m++) if (terms[n]! > terms[m]! || (terms[n] === terms[m] && ends[n]! >= ends[m]!)) behind++
    if (2 * behind > logs.length) electable.push(logs[n]!)
  }
  return electable
}

/**
 * Every committed entry is in the log of every node that could be elected
 * now: one whose log is at least as up-to-date as the logs of a majority,
 * its own included, a crashed node's by its durable log (it may restart,
 * vote and campaign). Votes already cast and terms are not asked: a node
 * that can outlast them by timing out could win later. LeaderCompleteness
 * sees a committed entry lost once a leader without it is elected; this
 * sees it as soon as one could be, a term sooner. Figure 8's commit by
 * counting (the `commit-prior-term` variant) breaks it in the term that
 * commits, while the rival that would overwrite the entry could still win:
 * three terms, where LeaderCompleteness needs four.
 *
 * Why Raft keeps it, in a fixed configuration. Let entry e at index i be
 * committed: a leader L of some term T held an entry of term T at an index
 * j >= i that a majority M stored (§5.4.2; a follower's commit index only
 * follows a leader's).
 * 1. Every member of M holds L's log through j from then on (an entry it
 *    compacted counts as held: it was applied, so committed). Its term is
 *    at least T and never falls, so no leader of an earlier term changes
 *    its log; every leader from T on holds L's log through j (Raft's
 *    Leader Completeness, §5.4.3: entry j is committed), so no AppendEntries
 *    conflicts with it, and an InstallSnapshot either covers j or keeps
 *    the entries after a snapshot entry the log matches. So a member's last
 *    term is at least T, and when it is T its last index is at least j.
 * 2. A majority that node N is at least as up-to-date as meets M in some
 *    m. If N's last term U is above T, N's last entry came from the leader
 *    of U, which held L's log through j when elected and appended after it:
 *    by LogMatching N holds e. Otherwise U is T (it is at least m's last
 *    term, at least T), N's last index is at least m's, so at least j, and its last
 *    entry, of term T, is L's: by LogMatching N holds L's log through it.
 * A snapshot's last index and term stand for its log's end when the log
 * after it is empty; a crashed node's durable log is its log at the crash.
 * With membership changes, a candidate counts votes in the latest
 * configuration of its own log, whose majorities need not meet M's but
 * through the chain of one-server changes and the rule that orders them;
 * counting a majority of the first configuration would be wrong, so the
 * property is left out there (`raftProperties`).
 */
export const electableCompleteness = always<RaftSystemState>("ElectableCompleteness", (s) => {
  let electable: ReadonlyArray<LogView> | undefined
  for (const slot of s.nodes) {
    if (!slot.up || slot.state.commitIndex === 0) continue
    electable ??= electableLogs(s.nodes.map(logOf))
    for (const log of electable) if (!holdsCommitted(log, slot.state)) return false
  }
  return true
})

/** No two nodes ever apply different entries at one index, crashed or not. */
export const stateMachineSafety = always<RaftSystemState>("StateMachineSafety", (s) => historyOf(s).applied.every((entries) => entries.length === 1))

/** The client history is linearizable against a single key-value map. */
export const clientsLinearizable = linearizable("Linearizable", kvRequestSpec, (s: RaftSystemState) => s.history)

/** A leader never overwrites or deletes entries in its log; it only appends (Figure 3), and compacts what it applied into its snapshot. */
export const leaderAppendOnly = alwaysStep<RaftSystemState>("LeaderAppendOnly", (before, after) => {
  for (let n = 0; n < before.nodes.length; n++) {
    const was = before.nodes[n]!
    const is = after.nodes[n]!
    if (!was.up || !is.up || was.state.role !== "leader" || is.state.role !== "leader" || was.state.term !== is.state.term) continue
    if (is.state.log === was.state.log) continue
    const length = lastIndex(was.state)
    if (lastIndex(is.state) < length || is.state.snapshot.index > was.state.lastApplied) return false
    for (let index = is.state.snapshot.index + 1; index <= length; index++) if (!equals(entryOf(is.state, index), entryOf(was.state, index))) return false
  }
  return true
})

/**
 * An entry a node has applied stays in its log at its index, or in its
 * snapshot, for as long as the node is up; its snapshot never moves back.
 */
export const appliedEntriesStay = alwaysStep<RaftSystemState>("AppliedEntriesStay", (before, after) => {
  for (let n = 0; n < before.nodes.length; n++) {
    const was = before.nodes[n]!
    const is = after.nodes[n]!
    if (!was.up || !is.up || (is.state.log === was.state.log && is.state.snapshot === was.state.snapshot)) continue
    if (is.state.snapshot.index < was.state.snapshot.index) return false
    for (let index = is.state.snapshot.index + 1; index <= was.state.lastApplied; index++) {
      if (!equals(entryOf(is.state, index), entryOf(was.state, index))) return false
    }
  }
  return true
})

export const leaderElected = sometimes<RaftSystemState>("LeaderElected", (s) => up(s).some((node) => node.role === "leader"))

/** A leader of a later term than the first: the cluster recovered from a lost leader or a split vote. */
export const laterLeaderElected = sometimes<RaftSystemState>("LaterLeaderElected", (s) => up(s).some((node) => node.role === "leader" && node.term >= 2))

/**
 * Liveness, checked with `--liveness`: some node becomes leader. Behaviours
 * that leave the boundary (an election past `--max-term`) are not judged, so
 * a cluster that keeps splitting its votes is not reported; one that stops
 * trying within the bounds is.
 */
export const leaderEventuallyElected = eventually<RaftSystemState>("LeaderEventuallyElected", (s) => up(s).some((node) => node.role === "leader"))

/** A client's write is committed and applied somewhere. */
export const writeCommitted = sometimes<RaftSystemState>("WriteCommitted", (s) =>
  up(s).some((node) =>
    logSlice(node.log, 1, node.lastApplied - node.snapshot.index).some((entry) => entry.command !== null && entry.command.op._tag !== "Get")
  ))

/** A follower too far behind took the leader's snapshot in place of the entries the leader had compacted. */
export const snapshotInstalled = sometimes<RaftSystemState>("SnapshotInstalled", (s) => historyOf(s).snapshotInstalled === true)

/** Every client's script of `requests` operations ran to the end: every operation answered. */
const clientsFinished = (requests: number) =>
  sometimes<RaftSystemState>("ClientsFinished", (s) => s.clients.every((client) => client.state.seq > requests))

/** Two nodes each answered a client as leader: client operations on both sides of a change of leader. */
export const answeredByTwoLeaders = sometimes<RaftSystemState>("AnsweredByTwoLeaders", (s) =>
  new Set(s.history.flatMap((event) => (event._tag === "Return" ? [event.node] : []))).size >= 2)

/** A node crashed, came back, and caught up with a committed entry. */
export const nodeRejoined = sometimes<RaftSystemState>("NodeRejoined", (s) =>
  s.crashes > 0 && s.nodes.every((node) => node.up) && up(s).every((node) => node.commitIndex > 0))

/** A Get answered once a majority answered a round of heartbeats sent after it arrived (ReadIndex, thesis §6.4). */
export const readByIndex = sometimes<RaftSystemState>("ReadAnsweredByIndex", (s) => up(s).some((node) => node.reads.byIndex > 0))

/** A Get answered at once under the leader's lease. */
export const readByLease = sometimes<RaftSystemState>("ReadAnsweredByLease", (s) => up(s).some((node) => node.reads.byLease > 0))

export interface PropertyBounds {
  /** No membership changes: the configuration is every node's, for good (see `electableCompleteness`). */
  readonly fixedMembership: boolean
  readonly snapshotEvery: number
  readonly leaseReads: boolean
  readonly maxTerm: number
  readonly crashes: number
  readonly clients: number
  readonly requests: number
}

/** The properties of a cluster within these bounds: a `sometimes` the bounds make unreachable is left out rather than reported unreached. */
export const raftProperties = (
  { clients, crashes, fixedMembership, leaseReads, maxTerm, requests, snapshotEvery }: PropertyBounds
): ReadonlyArray<Property<RaftSystemState>> => [
  electionSafety,
  logMatching,
  leaderCompleteness,
  stateMachineSafety,
  ...(fixedMembership ? [electableCompleteness] : []),
  clientsLinearizable,
  leaderElected,
  leaderEventuallyElected,
  ...(maxTerm >= 2 ? [laterLeaderElected] : []),
  ...(clients > 0 ? [writeCommitted, clientsFinished(requests)] : []),
  ...(clients * requests >= 2 && maxTerm >= 2 ? [answeredByTwoLeaders] : []),
  ...(crashes > 0 ? [nodeRejoined] : []),
  ...(snapshotEvery > 0 ? [snapshotInstalled] : []),
  // c1's second operation and c2's first are Gets.
  ...(clients >= 2 || (clients === 1 && requests >= 2) ? [readByIndex, ...(leaseReads ? [readByLease] : [])] : [])
]

export const raftTransitions: ReadonlyArray<TransitionProperty<RaftSystemState>> = [leaderAppendOnly, appliedEntriesStay]
