import { cancelTimer, send, setTimer } from "@parley/core"
import type { NodeId } from "@parley/core"
import type { AppendEntries, AppendResult, Entry } from "./messages.ts"
import { appendToLog, entryAt, logLength, logSlice, truncateLog } from "./log.ts"
import type { RaftLog } from "./messages.ts"
import { roundInFlight } from "./read-state.ts"
import { becomeFollower } from "./roles.ts"
import { sendSnapshot } from "./snapshot.ts"
import { applyCommitted } from "./state-machine.ts"
import { freshProgress, hasQuorum, plannedChangeTimers, replicationTargets, settledConfiguration } from "./membership.ts"
import { lastIndex, termAt } from "./state.ts"
import type { Outbox, Progress, RaftConfig, RaftState } from "./state.ts"

type AppendEntriesMessage = typeof AppendEntries.Type
type AppendResultMessage = typeof AppendResult.Type

/**
 * Sends `peer` the entries from its nextIndex on (at most a batch), with the
 * entry before them for the consistency check; or, when the log no longer
 * holds that entry, a chunk of the snapshot that covers it (§7). A
 * pipelined append (`appendNewEntry`) starts after a later entry.
 */
export const appendTo = (config: RaftConfig, s: RaftState, peer: NodeId, out: Outbox, prevLogIndex = s.progress[peer]!.next - 1): RaftState => {
  if (prevLogIndex < s.snapshot.index) return sendSnapshot(config, s, peer, out)
  const offset = s.snapshot.index
  const read = roundInFlight(s.reads)
  out.push(send(peer, {
    _tag: "AppendEntries",
    term: s.term,
    prevLogIndex,
    prevLogTerm: termAt(s, prevLogIndex),
    entries: logSlice(s.log, prevLogIndex + 1 - offset, prevLogIndex + config.maxEntriesPerAppend - offset),
    leaderCommit: s.commitIndex,
    ...(read === undefined ? {} : { read })
  }))
  return s
}

/**
 * An entry just appended at `lastIndex` (a client's, or a configuration) to
 * each peer that gets it at once: one that was sent everything before it
 * (its nextIndex is the entry's); with `pipelinedAppends`, also one whose
 * only unanswered entry is the one before, already committed by the
 * others, sent as if that one had arrived. Without it that peer gets the
 * entry when it answers, a round later: with one client writing, a
 * follower whose answer once comes after the next request stays a round
 * behind, and every commit waits for the other follower alone. (An entry
 * before that is not committed yet is a busy leader's, appended in the
 * same batch: the peer gets the rest when it answers, in one append.) If
 * the entry before was lost or refused, the follower refuses this one too,
 * and a heartbeat resends from nextIndex. Others get entries as they answer.
 */
export const appendNewEntry = (config: RaftConfig, s: RaftState, out: Outbox): RaftState => {
  const last = lastIndex(s)
  let leader = s
  for (const peer in s.progress) {
    const progress = s.progress[peer]!
    if (progress.next === last) leader = appendTo(config, leader, peer, out)
    else if (config.pipelinedAppends === true && progress.next === last - 1 && last - 1 > s.snapshot.index && s.commitIndex === last - 1) {
      const sent = appendTo(config, leader, peer, out, last - 1)
      leader = { ...sent, progress: { ...sent.progress, [peer]: { ...progress, pipelined: last } } }
    }
  }
  return leader
}

/**
 * Wins the election: a leader appends an empty entry of its own term at once
 * (Raft §8, as etcd does), because only an entry of its term can commit the
 * entries it inherited, and sends it to every peer.
 */
export const becomeLeader = (config: RaftConfig, s: RaftState, out: Outbox): RaftState => {
  const peers = replicationTargets(config, s)
  const progress: Record<NodeId, Progress> = {}
  for (const peer of peers) progress[peer] = freshProgress(s)
  const leader: RaftState = {
    ...s,
    role: "leader",
    leader: s.self,
    votes: [],
    progress,
    log: appendToLog(s.log, [{ term: s.term, command: null }])
  }
  out.push(cancelTimer("election"), setTimer("heartbeat"))
  if (config.checkQuorum) out.push(setTimer("check-quorum"))
  out.push(...plannedChangeTimers(config, s))
  let sent = leader
  for (const peer of peers) sent = appendTo(config, sent, peer, out)
  return commitAndApply(config, sent, out)
}

/**
 * The highest index a majority stores. A leader counts replicas only for an
 * entry of its own term (§5.4.2); an earlier term's entry commits with it.
 */
const committable = (config: RaftConfig, s: RaftState): number => {
  for (let index = lastIndex(s); index > s.commitIndex; index--) {
    if (termAt(s, index) < s.term && !config.bugs.commitPriorTerm) break
    const holders = [s.self]
    for (const peer in s.progress) if (s.progress[peer]!.match >= index) holders.push(peer)
    if (hasQuorum(config, s, holders)) return index
  }
  return s.commitIndex
}

/** Commits what a majority holds and applies it; a leader whose removal that commits steps down (thesis §4.2.2). */
export const commitAndApply = (config: RaftConfig, s: RaftState, out: Outbox): RaftState => {
  const commitIndex = committable(config, s)
  if (commitIndex === s.commitIndex) return s
  const { state, removedSelf } = settledConfiguration(config, applyCommitted(config, { ...s, commitIndex }, out))
  return removedSelf ? becomeFollower(state, state.term, null, out) : state
}

/** `log` after AppendEntries: entries it has stay; from the first conflict on, the leader's replace them (§5.3). Indices relative to the log's first. */
const merged = (log: RaftLog, prevLogIndex: number, entries: ReadonlyArray<Entry>): RaftLog => {
  for (let k = 0; k < entries.length; k++) {
    const index = prevLogIndex + 1 + k
    if (index > logLength(log)) return appendToLog(log, entries.slice(k))
    if (entryAt(log, index)!.term !== entries[k]!.term) return appendToLog(truncateLog(log, index - 1), entries.slice(k))
  }
  return log
}

/**
 * AppendEntries from before this node's snapshot: the entries the snapshot
 * covers are committed, so the leader's match them; what follows them is
 * checked against the snapshot's last entry.
 */
const pastSnapshot = (s: RaftState, m: AppendEntriesMessage): AppendEntriesMessage => {
  const covered = s.snapshot.index - m.prevLogIndex
  if (covered <= 0) return m
  return { ...m, prevLogIndex: s.snapshot.index, prevLogTerm: s.snapshot.term, entries: m.entries.slice(covered) }
}

/** A follower (or a candidate, which yields) takes AppendEntries from the leader of its term. */
export const onAppendEntries = (config: RaftConfig, s: RaftState, from: NodeId, sent: AppendEntriesMessage, out: Outbox): RaftState => {
  // Two leaders in one term: only a bug (a vote cast twice) makes this; neither yields.
  if (s.role === "leader") return s
  const node: RaftState = s.role === "follower" && s.leader === from ? s : { ...s, role: "follower", leader: from, votes: [] }
  out.push(setTimer("election"))
  const m = pastSnapshot(node, sent)
  const prev = m.prevLogIndex
  // Any answer, a refusal too, tells the leader this node still follows it in its term (reads.ts).
  const echo = m.read === undefined ? {} : { read: m.read }
  if (prev > lastIndex(node) || termAt(node, prev) !== m.prevLogTerm) {
    out.push(send(from, { _tag: "AppendResult", term: node.term, success: false, matchIndex: Math.min(prev - 1, lastIndex(node)), ...echo }))
    return node
  }
  const matchIndex = prev + m.entries.length
  const commitIndex = Math.max(node.commitIndex, Math.min(m.leaderCommit, matchIndex))
  // duplicate-append: a retransmitted AppendEntries lands after the copies already there.
  const log = config.bugs.duplicateAppend ? appendToLog(node.log, m.entries) : merged(node.log, prev - node.snapshot.index, m.entries)
  const updated = log === node.log && commitIndex === node.commitIndex ? node : applyCommitted(config, { ...node, log, commitIndex }, out)
  out.push(send(from, { _tag: "AppendResult", term: node.term, success: true, matchIndex, ...echo }))
  return updated
}

/** The leader learns a follower's progress; success may commit, a failed check backs nextIndex off and retries. */
export const onAppendResult = (config: RaftConfig, s: RaftState, from: NodeId, m: AppendResultMessage, out: Outbox): RaftState => {
  const progress = s.progress[from]
  if (s.role !== "leader" || progress === undefined) return s
  const active = config.checkQuorum || progress.active
  const withProgress = (updated: Progress): RaftState => ({ ...s, progress: { ...s.progress, [from]: updated } })
  if (m.success) {
    if (m.matchIndex <= progress.match) return active === progress.active ? s : withProgress({ ...progress, active })
    const pipelined = progress.pipelined !== undefined && progress.pipelined > m.matchIndex ? progress.pipelined : undefined
    const updated: Progress = { next: Math.max(progress.next, m.matchIndex + 1), match: m.matchIndex, active, ...(pipelined === undefined ? {} : { pipelined }) }
    const leader = commitAndApply(config, withProgress(updated), out)
    // What a pipelined append carries is on its way: only the entries after it go now.
    const after = Math.max(updated.next - 1, pipelined ?? 0)
    return after < lastIndex(leader) ? appendTo(config, leader, from, out, after) : leader
  }
  const next = Math.max(progress.match + 1, Math.min(progress.next - 1, m.matchIndex + 1))
  // A refusal may be the pipelined append's: what it carried goes again from nextIndex.
  const { pipelined: _, ...settled } = progress
  if (next === progress.next && active === progress.active && progress.pipelined === undefined) return s
  const leader = withProgress({ ...settled, next, active })
  return next !== progress.next ? appendTo(config, leader, from, out) : leader
}

/** Every heartbeat interval a leader sends each peer what it lacks, or an empty AppendEntries that carries the commit index. */
export const onHeartbeat = (config: RaftConfig, s: RaftState, out: Outbox): RaftState => {
  if (s.role !== "leader") return s
  let leader = s
  for (const peer in s.progress) leader = appendTo(config, leader, peer, out)
  out.push(setTimer("heartbeat"))
  return leader
}

/** CheckQuorum: a leader that heard from no majority since the last check steps down rather than serve a minority. */
export const onCheckQuorum = (config: RaftConfig, s: RaftState, out: Outbox): RaftState => {
  if (s.role !== "leader") return s
  const heard = [s.self]
  for (const peer in s.progress) if (s.progress[peer]!.active) heard.push(peer)
  if (!hasQuorum(config, s, heard)) return becomeFollower(s, s.term, null, out)
  const progress: Record<NodeId, Progress> = {}
  for (const peer in s.progress) progress[peer] = { ...s.progress[peer]!, active: false }
  out.push(setTimer("check-quorum"))
  return { ...s, progress }
}
