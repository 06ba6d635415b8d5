/**
 * One line per message, timer, request and response, in the spirit of
 * etcd/raft's interaction tests (`1->2 MsgVote Term:1 Log:1/2`), and the
 * view of a node a trace shows: what a person reading Raft looks at.
 */
import { bucketCount, bucketsFlat, formatKvInput, formatKvRequest, formatKvResponse } from "@parley/kv"
import { logEntries } from "./log.ts"
import type { Entry, RaftMessage, RaftTimer } from "./messages.ts"
import type { RaftState } from "./state.ts"

/** `1/2 noop`, `1/3 c1#1 Put(x=1)`, `2/4 conf(n1,n2,n3,n4)`: term/index, then the command or the configuration. */
export const formatEntry = (entry: Entry, index: number): string =>
  `${entry.term}/${index} ${
    entry.members !== undefined
      ? `conf(${entry.members.join(",")})`
      : entry.command === null
      ? "noop"
      : `${entry.command.client}#${entry.command.seq} ${formatKvInput(entry.command.op)}`
  }`

/** A round of heartbeats that confirms reads, as etcd prints a heartbeat's context. */
const readRound = (read: number | undefined): string => (read === undefined ? "" : ` Read:${read}`)

export const formatRaftMessage = (m: RaftMessage): string => {
  switch (m._tag) {
    case "RequestVote":
      return `${m.pre ? "MsgPreVote" : "MsgVote"} Term:${m.term} Log:${m.lastLogTerm}/${m.lastLogIndex}${m.transfer === true ? " Transfer" : ""}`
    case "Vote":
      return `${m.pre ? "MsgPreVoteResp" : "MsgVoteResp"} Term:${m.term}${m.granted ? "" : " Rejected"}`
    case "AppendEntries": {
      const entries = m.entries.map((entry, k) => formatEntry(entry, m.prevLogIndex + 1 + k))
      return `MsgApp Term:${m.term} Log:${m.prevLogTerm}/${m.prevLogIndex} Commit:${m.leaderCommit}` +
        (entries.length === 0 ? "" : ` Entries:[${entries.join(", ")}]`) + readRound(m.read)
    }
    case "AppendResult":
      return (m.success
        ? `MsgAppResp Term:${m.term} Index:${m.matchIndex}`
        : `MsgAppResp Term:${m.term} Rejected (Hint: ${m.matchIndex})`) + readRound(m.read)
    case "InstallSnapshot":
      return `MsgSnap Term:${m.term} Snapshot:${m.lastIncludedTerm}/${m.lastIncludedIndex}` +
        (m.total === 1 ? ` Store:${bucketCount(m.store)} Sessions:${bucketCount(m.sessions)}` : ` Parts:${m.offset}+${m.parts}/${m.total}`)
    case "SnapshotResult":
      return `MsgSnapResp Term:${m.term} Snapshot:${m.lastIncludedIndex} Received:${m.received}`
    case "TimeoutNow":
      return `MsgTimeoutNow Term:${m.term}`
  }
}

export const formatRaftTimer = (timer: RaftTimer): string => timer

export const formatRaftRequest = formatKvRequest

export const formatRaftResponse = formatKvResponse

/** A node as a trace lane: role, term, vote, snapshot (once it has one), log, commit and apply indices, the store; a leader's match indices. */
export const raftView = (s: RaftState): unknown => {
  const view: Record<string, unknown> = {
    role: s.role,
    term: s.term,
    votedFor: s.votedFor,
    leader: s.leader,
    ...(s.snapshot.index > 0 ? { snapshot: `${s.snapshot.term}/${s.snapshot.index}` } : {}),
    ...(s.snapshot.members === undefined ? {} : { snapshotMembers: s.snapshot.members }),
    log: logEntries(s.log).map((entry, i) => formatEntry(entry, s.snapshot.index + i + 1)),
    commit: s.commitIndex,
    applied: s.lastApplied,
    kv: bucketsFlat(s.store)
  }
  if (s.votes.length > 0) view["votes"] = s.votes
  if (s.role === "leader") {
    const match: Record<string, number> = {}
    for (const peer in s.progress) match[peer] = s.progress[peer]!.match
    view["match"] = match
    const { reads } = s
    if (reads.pending.length > 0) view["reads"] = reads.pending.map((read) => `${read.client}#${read.seq} Get(${read.key}) index ${read.index < 0 ? "?" : read.index} round ${read.round}`)
    if (reads.round > 0) view["round"] = `${reads.confirmed}/${reads.round}`
    if (reads.lease !== null) view["lease"] = `round ${reads.lease.round}${reads.lease.held ? ", held" : ""}`
  }
  return view
}
