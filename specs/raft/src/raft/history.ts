/**
 * What a Raft cluster did that its nodes' current states no longer show: the
 * history variables of Raft's TLA+ spec (`elections`, `allLogs`), kept by the
 * checker beside the nodes and never seen by the reducer. A crash wipes a
 * node's role and what it applied; the history keeps every leader ever
 * elected and every entry any node ever applied, so `ElectionSafety` and
 * `StateMachineSafety` judge the whole behaviour, crashed nodes included.
 */
import { equals, withFingerprintMemo } from "@parley/core"
import type { GhostHistory, NodeId } from "@parley/core"
import type { Entry } from "./messages.ts"
import { entryOf } from "./state.ts"
import type { RaftState } from "./state.ts"

export interface Election {
  readonly term: number
  readonly leader: NodeId
}

export interface RaftHistory {
  /** Every (term, leader) ever elected, sorted. */
  readonly elected: ReadonlyArray<Election>
  /** `applied[i - 1]`: every distinct entry some node applied at index `i`; one, in Raft. */
  readonly applied: ReadonlyArray<ReadonlyArray<Entry>>
  /** Whether a node ever installed a leader's snapshot; absent until one did, so a check without snapshots keeps its states. */
  readonly snapshotInstalled?: true
}

export const noHistory: RaftHistory = withFingerprintMemo({ elected: [], applied: [] })

const becameLeader = (before: RaftState | undefined, after: RaftState): boolean =>
  after.role === "leader" && (before === undefined || before.role !== "leader" || before.term !== after.term)

/** Sorted by term, then leader: one order for one set, so equal histories are equal data. */
const withElection = (elected: ReadonlyArray<Election>, term: number, leader: NodeId): ReadonlyArray<Election> =>
  elected.some((e) => e.term === term && e.leader === leader)
    ? elected
    : [...elected, { term, leader }].sort((a, b) => a.term - b.term || a.leader.localeCompare(b.leader))

/**
 * `applied` with the entries of `node` from `from` to `to` added where they
 * are new. Those a snapshot it installed covers, it did not apply one by
 * one: the leader whose snapshot it is did, and they are remembered from it.
 */
const withApplied = (applied: ReadonlyArray<ReadonlyArray<Entry>>, node: RaftState, from: number, to: number): ReadonlyArray<ReadonlyArray<Entry>> => {
  let copy: Array<ReadonlyArray<Entry>> | undefined
  for (let index = from; index <= to; index++) {
    const entry = entryOf(node, index)
    if (entry === undefined) continue
    const seen = (copy ?? applied)[index - 1] ?? []
    if (seen.some((other) => equals(other, entry))) continue
    copy ??= applied.slice()
    copy[index - 1] = [...seen, entry]
  }
  return copy ?? applied
}

/** A node takes its own snapshots of what it applied before the step; one past that came from a leader. */
const installedSnapshot = (before: RaftState | undefined, after: RaftState): boolean =>
  before !== undefined && after.snapshot !== before.snapshot && after.snapshot.index > before.lastApplied

/** One node's step, remembered: a leader elected, entries applied, a snapshot installed. */
const observe = (history: RaftHistory, node: NodeId, before: RaftState | undefined, after: RaftState): RaftHistory => {
  const elected = becameLeader(before, after) ? withElection(history.elected, after.term, node) : history.elected
  const appliedBefore = before?.lastApplied ?? 0
  const applied = after.lastApplied > appliedBefore ? withApplied(history.applied, after, appliedBefore + 1, after.lastApplied) : history.applied
  const installed = history.snapshotInstalled === true || installedSnapshot(before, after)
  if (elected === history.elected && applied === history.applied && installed === (history.snapshotInstalled === true)) return history
  return withFingerprintMemo(installed ? { elected, applied, snapshotInstalled: true } : { elected, applied })
}

export const raftHistory: GhostHistory<RaftState, RaftHistory> = {
  init: noHistory,
  observe: (history, node, before, after) => observe(history, node, before, after)
}
