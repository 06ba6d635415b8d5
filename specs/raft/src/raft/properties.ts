/**
 * What Raft promises (paper, Figure 3), as properties of the cluster the
 * checker explores, and the `sometimes` properties that show the interesting
 * states are reached at all. A crashed node's log is its durable one.
 */
import { always, alwaysStep, equals, eventually, linearizable, sometimes } from "@parley/core"
import type { NodeSlot, Property, SystemSpecOf, SystemStateOf, TransitionProperty } from "@parley/core"
import { kvRequestSpec } from "@parley/kv"
import type { KvClientState, KvClientTimer } from "@parley/kv"
import { entryAt, logLength, logSlice } from "./log.ts"
import { noHistory } from "./history.ts"
import type { RaftHistory } from "./history.ts"
import type { RaftDurable, RaftLog, RaftTimer } from "./messages.ts"
import type { RaftActor } from "./node.ts"
import type { RaftState } from "./state.ts"

/** Raft's nodes with the key-value store's scripted clients and the cluster's history; spec.ts builds one. */
export type RaftSystem = SystemSpecOf<RaftActor, KvClientState, KvClientTimer, RaftHistory>
export type RaftSystemState = SystemStateOf<RaftSystem>

type Slot = NodeSlot<RaftState, RaftTimer, RaftDurable>

const up = (s: RaftSystemState): ReadonlyArray<RaftState> => {
  const states: Array<RaftState> = []
  for (const node of s.nodes) if (node.up) states.push(node.state)
  return states
}

/** A node's log: its live one, or the durable one a crashed node keeps. */
export const logOf = (node: Slot): RaftLog => (node.up ? node.state.log : node.durable.log)

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

const logsMatch = (a: RaftLog, b: RaftLog): boolean => {
  let shared = Math.min(logLength(a), logLength(b))
  while (shared > 0 && entryAt(a, shared)!.term !== entryAt(b, shared)!.term) shared--
  for (let index = 1; index <= shared; index++) if (!equals(entryAt(a, index), entryAt(b, index))) return false
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
      for (let index = 1; index <= node.commitIndex; index++) {
        if (!equals(entryAt(leader.log, index), entryAt(node.log, index))) return false
      }
    }
  }
  return true
})

/** No two nodes ever apply different entries at one index, crashed or not. */
export const stateMachineSafety = always<RaftSystemState>("StateMachineSafety", (s) => historyOf(s).applied.every((entries) => entries.length === 1))

/** The client history is linearizable against a single key-value map. */
export const clientsLinearizable = linearizable("Linearizable", kvRequestSpec, (s: RaftSystemState) => s.history)

/** A leader never overwrites or deletes entries in its log; it only appends (Figure 3). */
export const leaderAppendOnly = alwaysStep<RaftSystemState>("LeaderAppendOnly", (before, after) => {
  for (let n = 0; n < before.nodes.length; n++) {
    const was = before.nodes[n]!
    const is = after.nodes[n]!
    if (!was.up || !is.up || was.state.role !== "leader" || is.state.role !== "leader" || was.state.term !== is.state.term) continue
    const log = is.state.log
    if (log === was.state.log) continue
    const length = logLength(was.state.log)
    if (logLength(log) < length) return false
    for (let index = 1; index <= length; index++) if (!equals(entryAt(log, index), entryAt(was.state.log, index))) return false
  }
  return true
})

/** An entry a node has applied stays in its log at its index for as long as the node is up. */
export const appliedEntriesStay = alwaysStep<RaftSystemState>("AppliedEntriesStay", (before, after) => {
  for (let n = 0; n < before.nodes.length; n++) {
    const was = before.nodes[n]!
    const is = after.nodes[n]!
    if (!was.up || !is.up || is.state.log === was.state.log) continue
    for (let index = 1; index <= was.state.lastApplied; index++) if (!equals(entryAt(is.state.log, index), entryAt(was.state.log, index))) return false
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
  up(s).some((node) => logSlice(node.log, 1, node.lastApplied).some((entry) => entry.command !== null && entry.command.op._tag !== "Get")))

/** Every client's script of `requests` operations ran to the end: every operation answered. */
const clientsFinished = (requests: number) =>
  sometimes<RaftSystemState>("ClientsFinished", (s) => s.clients.every((client) => client.state.seq > requests))

/** Two nodes each answered a client as leader: client operations on both sides of a change of leader. */
export const answeredByTwoLeaders = sometimes<RaftSystemState>("AnsweredByTwoLeaders", (s) =>
  new Set(s.history.flatMap((event) => (event._tag === "Return" ? [event.node] : []))).size >= 2)

/** A node crashed, came back, and caught up with a committed entry. */
export const nodeRejoined = sometimes<RaftSystemState>("NodeRejoined", (s) =>
  s.crashes > 0 && s.nodes.every((node) => node.up) && up(s).every((node) => node.commitIndex > 0))

export interface PropertyBounds {
  readonly maxTerm: number
  readonly crashes: number
  readonly clients: number
  readonly requests: number
}

/** The properties of a cluster within these bounds: a `sometimes` the bounds make unreachable is left out rather than reported unreached. */
export const raftProperties = ({ clients, crashes, maxTerm, requests }: PropertyBounds): ReadonlyArray<Property<RaftSystemState>> => [
  electionSafety,
  logMatching,
  leaderCompleteness,
  stateMachineSafety,
  clientsLinearizable,
  leaderElected,
  leaderEventuallyElected,
  ...(maxTerm >= 2 ? [laterLeaderElected] : []),
  ...(clients > 0 ? [writeCommitted, clientsFinished(requests)] : []),
  ...(clients * requests >= 2 && maxTerm >= 2 ? [answeredByTwoLeaders] : []),
  ...(crashes > 0 ? [nodeRejoined] : [])
]

export const raftTransitions: ReadonlyArray<TransitionProperty<RaftSystemState>> = [leaderAppendOnly, appliedEntriesStay]
