import { send, setTimer, step } from "@parley/core"
import type { Actor, NodeId, Step } from "@parley/core"
import { onElectionTimeout, onPreVote, onRequestVote, onVote } from "./election.ts"
import type { RaftDurable, RaftMessage, RaftRequest, RaftResponse, RaftTimer } from "./messages.ts"
import { onAppendEntries, onAppendResult, onCheckQuorum, onHeartbeat } from "./replication.ts"
import { emptySnapshot } from "./messages.ts"
import { onLeaseTimeout, onReadAck, settleReads } from "./reads.ts"
import { onClientRequest } from "./requests.ts"
import { replayLog } from "./state-machine.ts"
import { becomeFollower } from "./roles.ts"
import { onInstallSnapshot, onSnapshotResult } from "./snapshot.ts"
import { onChangeTimer } from "./reconfigure.ts"
import { abandonTransfer, afterReplicated, onTimeoutNow, onTransferTimer, refusedWhileTransferring } from "./transfer.ts"
import { initialState } from "./state.ts"
import type { Outbox, RaftConfig, RaftState } from "./state.ts"

export type RaftActor = Actor<RaftState, RaftMessage, RaftTimer, RaftRequest, RaftResponse, RaftDurable>
type RaftStep = Step<RaftState, RaftMessage, RaftTimer, RaftResponse>

/**
 * A node that heard from the leader of its term, or leads it, and has not
 * timed out since (thesis §4.2.3); with lease reads also one that restarted
 * and has not timed out since (reads.ts).
 */
const inLease = (s: RaftState): boolean => s.role === "leader" || (s.role === "follower" && (s.leader !== null || s.holdVotes === true))

/**
 * The term rules every message obeys before its own (Figure 2): a higher
 * term makes the receiver a follower in it; a message from an earlier term
 * is stale. A PreVote and a granted PreVote answer carry a term nobody holds
 * yet, so they change no term.
 */
const onMessage = (config: RaftConfig, s: RaftState, from: NodeId, m: RaftMessage, out: Outbox): RaftState => {
  switch (m._tag) {
    case "RequestVote": {
      if (m.pre) return onPreVote(config, s, from, m, out)
      if (m.term <= s.term) return onRequestVote(config, s, from, m, out)
      if (config.checkQuorum && inLease(s) && m.transfer !== true) return s
      return onRequestVote(config, becomeFollower(s, m.term, null, out), from, m, out)
    }
    case "Vote":
      if (m.term > s.term && !(m.pre && m.granted)) return becomeFollower(s, m.term, null, out)
      return onVote(config, s, from, m, out)
    case "AppendEntries":
    case "InstallSnapshot": {
      if (m.term < s.term) {
        // Tells a deposed leader of the newer term, so it steps down.
        out.push(send(from, { _tag: "AppendResult", term: s.term, success: false, matchIndex: 0 }))
        return s
      }
      const node = m.term > s.term ? becomeFollower(s, m.term, from, out) : s
      return m._tag === "AppendEntries" ? onAppendEntries(config, node, from, m, out) : onInstallSnapshot(config, node, from, m, out)
    }
    case "AppendResult":
    case "SnapshotResult":
      if (m.term > s.term) return becomeFollower(s, m.term, null, out)
      if (m.term < s.term) return s
      return m._tag === "AppendResult"
        ? afterReplicated(config, onAppendResult(config, onReadAck(config, s, from, m.read), from, m, out), from, out)
        : onSnapshotResult(config, s, from, m, out)
    case "TimeoutNow":
      if (m.term < s.term) return s
      return onTimeoutNow(config, m.term > s.term ? becomeFollower(s, m.term, null, out) : s, m, out)
  }
}

const onTimer = (config: RaftConfig, s: RaftState, timer: RaftTimer, out: Outbox): RaftState => {
  switch (timer) {
    case "election":
      return onElectionTimeout(config, s.holdVotes === true ? withoutHold(s) : s, out)
    case "heartbeat":
      return onHeartbeat(config, s, out)
    case "check-quorum":
      return onCheckQuorum(config, abandonTransfer(s), out)
    case "add-member":
    case "remove-member":
      return onChangeTimer(config, s, timer, out)
    case "transfer-leadership":
      return onTransferTimer(config, s, out)
    case "lease":
      return onLeaseTimeout(config, s, out)
  }
}

const withoutHold = ({ holdVotes: _, ...s }: RaftState): RaftState => s

/** One event's step: its handler, then what it changed for the reads a leader holds (reads.ts). */
const handled = (config: RaftConfig, handle: (out: Outbox) => RaftState): RaftStep => {
  const out: Outbox = []
  const state = settleReads(config, handle(out), out)
  return step(state, out)
}

/**
 * One Raft node as a pure reducer, the same for the model checker and the
 * runtime. Election timeouts are the host's: the reducer only sets and
 * cancels timers, and the host fires them after a randomised delay.
 */
export const raftActor = (config: RaftConfig): RaftActor => ({
  init: (ctx) => step(initialState(ctx.self, 0, null, emptySnapshot, []), [setTimer("election")]),
  onMessage: (s, from, m) => handled(config, (out) => onMessage(config, s, from, m, out)),
  onTimer: (s, timer) => handled(config, (out) => onTimer(config, s, timer, out)),
  onRequest: (s, client, request) =>
    handled(config, (out) => (refusedWhileTransferring(s, client, request, out) ? s : onClientRequest(config, s, client, request, out))),
  durable: (s) => ({ term: s.term, votedFor: config.bugs.forgetVote ? null : s.votedFor, snapshot: s.snapshot, log: s.log }),
  // A restart resumes from the snapshot, applied, with the log after it; what that log holds commits again as the leader says.
  recover: (ctx, d) => {
    const restarted = initialState(ctx.self, d.term, d.votedFor, d.snapshot, d.log)
    const recovered: RaftState = config.leaseReads === true ? { ...restarted, holdVotes: true } : restarted
    return step(config.bugs.replayUncommitted ? replayLog(config, recovered) : recovered, [setTimer("election")])
  }
})
