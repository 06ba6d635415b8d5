/**
 * Cluster membership as the log says it (Raft thesis §4.1, single-server
 * changes). A configuration is a log entry that names every member; a node
 * uses the latest one in its log, committed or not, from the moment it
 * appends it; its snapshot carries the configuration it covers, and the
 * cluster's first configuration is `RaftConfig.nodes`. Quorums, the votes
 * that count and the peers a leader replicates to all come from here.
 *
 * With `RaftConfig.membership` absent the members are `nodes`, with no log
 * scan, and the reducer behaves exactly as before memberships existed.
 */
import { setTimer } from "@parley/core"
import type { NodeId } from "@parley/core"
import { LogChunk, LogShift } from "./log.ts"
import type { Entry } from "./messages.ts"
import { lastIndex } from "./state.ts"
import type { LogView, Progress, RaftConfig, RaftOutput, RaftState } from "./state.ts"

/** A configuration and the index of the entry that made it (the snapshot's index, or 0 for the first one). */
export interface Configuration {
  readonly index: number
  readonly members: ReadonlyArray<NodeId>
}

/**
 * Of each full chunk of a log, the position of its last configuration entry,
 * or -1. A full chunk never changes (appending copies only the last one), so
 * a hosted node, whose log runs to a snapshot's worth of entries and which
 * asks for its configuration on every answer it counts, scans each chunk
 * once instead of its whole log every time.
 */
const lastConfigurationInChunk = new WeakMap<ReadonlyArray<Entry>, number>()

const lastConfigurationIn = (chunk: ReadonlyArray<Entry>): number => {
  let position = lastConfigurationInChunk.get(chunk)
  if (position !== undefined) return position
  position = -1
  for (let p = chunk.length - 1; p >= 0; p--) {
    if (chunk[p]!.members !== undefined) {
      position = p
      break
    }
  }
  lastConfigurationInChunk.set(chunk, position)
  return position
}

/** The configuration in effect at `index`: the latest configuration entry at or before it, else the snapshot's, else the first. */
export const configurationAt = (config: RaftConfig, v: LogView, index: number): Configuration => {
  if (config.membership === undefined) return { index: 0, members: config.nodes }
  // Walks back by log position (1-based, after the snapshot): a chunk wholly in range by its cached answer, a partial one entry by entry.
  for (let position = Math.min(index, lastIndex(v)) - v.snapshot.index; position > 0;) {
    const chunk = v.log[(position - 1) >> LogShift]!
    const last = (position - 1) & (LogChunk - 1)
    const found = last === LogChunk - 1 ? lastConfigurationIn(chunk) : lastConfigurationUpTo(chunk, last)
    if (found >= 0) return { index: v.snapshot.index + position - last + found, members: chunk[found]!.members! }
    position -= last + 1
  }
  return { index: v.snapshot.index, members: v.snapshot.members ?? config.nodes }
}

const lastConfigurationUpTo = (chunk: ReadonlyArray<Entry>, last: number): number => {
  for (let p = last; p >= 0; p--) if (chunk[p]!.members !== undefined) return p
  return -1
}

/** The latest configuration in the log: the one a node uses (§4.1: in effect once appended). */
export const latestConfiguration = (config: RaftConfig, v: LogView): Configuration => configurationAt(config, v, lastIndex(v))

export const membersOf = (config: RaftConfig, v: LogView): ReadonlyArray<NodeId> => latestConfiguration(config, v).members

export const isMember = (config: RaftConfig, s: RaftState): boolean => membersOf(config, s).includes(s.self)

const majorityOf = (members: ReadonlyArray<NodeId>): number => Math.floor(members.length / 2) + 1

/** Whether `voters` (any nodes) hold a majority of the node's configuration: only members count. */
export const hasQuorum = (config: RaftConfig, s: RaftState, voters: ReadonlyArray<NodeId>): boolean => {
  if (config.membership === undefined) return voters.length >= majorityOf(config.nodes)
  const members = membersOf(config, s)
  let count = 0
  for (const voter of voters) if (members.includes(voter)) count++
  return count >= majorityOf(members)
}

/**
 * The peers a leader replicates to: the members of its latest
 * configuration and, while that configuration is uncommitted, the node it
 * removes, so the removed node learns of its removal (as etcd keeps a
 * removed node's progress until the change applies).
 */
export const replicationTargets = (config: RaftConfig, s: RaftState): ReadonlyArray<NodeId> => {
  const latest = latestConfiguration(config, s)
  const targets = latest.members.filter((node) => node !== s.self)
  if (latest.index <= s.commitIndex) return targets
  const previous = configurationAt(config, s, latest.index - 1)
  for (const node of previous.members) if (node !== s.self && !targets.includes(node)) targets.push(node)
  return targets
}

/** A fresh follower's progress, as a new leader starts everyone: just past the leader's log, backing off from there. */
export const freshProgress = (s: RaftState): Progress => ({ next: lastIndex(s) + 1, match: 0, active: false })

/**
 * Once a leader's latest configuration is committed: the progress of nodes
 * it removed goes, and a leader that removed itself steps down
 * (thesis §4.2.2), which the caller does when this says so.
 */
export const settledConfiguration = (config: RaftConfig, s: RaftState): { readonly state: RaftState; readonly removedSelf: boolean } => {
  if (config.membership === undefined || s.role !== "leader") return { state: s, removedSelf: false }
  const latest = latestConfiguration(config, s)
  if (latest.index > s.commitIndex) return { state: s, removedSelf: false }
  let progress: Record<NodeId, Progress> | undefined
  for (const peer in s.progress) {
    if (latest.members.includes(peer)) continue
    progress ??= { ...s.progress }
    delete progress[peer]
  }
  const state = progress === undefined ? s : { ...s, progress }
  return { state, removedSelf: !latest.members.includes(s.self) }
}

/** The timers a new leader arms for the changes the model's environment may still ask of it (reconfigure.ts). */
export const plannedChangeTimers = (config: RaftConfig, s: RaftState): ReadonlyArray<RaftOutput> => {
  const plan = config.membership ?? {}
  if (config.membership === undefined && config.leadershipTransfer !== true) return []
  const members = membersOf(config, s)
  const timers: Array<RaftOutput> = []
  if (plan.add !== undefined && !members.includes(plan.add)) timers.push(setTimer("add-member"))
  if (plan.remove !== undefined && members.includes(plan.remove)) timers.push(setTimer("remove-member"))
  if (config.leadershipTransfer === true) timers.push(setTimer("transfer-leadership"))
  return timers
}
