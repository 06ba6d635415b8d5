/**
 * Leadership transfer (Raft thesis §3.10, etcd's MsgTimeoutNow). The leader
 * stops taking client requests, brings the target's log up to date through
 * the usual replication, and once the target holds its last entry sends it
 * TimeoutNow; the target campaigns at once, in a new term, skipping PreVote,
 * and its RequestVotes say so, so that voters who heard from the leader do
 * not ignore them under CheckQuorum (as etcd's campaignTransfer). The
 * leader steps down when the target's higher term reaches it. A transfer
 * that has not finished by the leader's next CheckQuorum round (an election
 * timeout) is abandoned, and the leader takes requests again.
 */
import { reply, send, setTimer } from "@parley/core"
import type { ClientId, NodeId } from "@parley/core"
import { campaign } from "./election.ts"
import type { RaftRequest, TimeoutNow } from "./messages.ts"
import { isMember, membersOf } from "./membership.ts"
import { forfeitLease } from "./reads.ts"
import { lastIndex } from "./state.ts"
import type { Outbox, RaftConfig, RaftState } from "./state.ts"

type TimeoutNowMessage = typeof TimeoutNow.Type

/** The follower a leader is handing leadership to, if any. */
export const transferTarget = (s: RaftState): NodeId | undefined => (s.role === "leader" ? s.transferTo : undefined)

/** Sends TimeoutNow if the target holds the leader's whole log; the target will not wait for election timers, so a lease ends. */
const timeoutNowIfCaughtUp = (config: RaftConfig, s: RaftState, target: NodeId, out: Outbox): RaftState => {
  if (s.progress[target]!.match !== lastIndex(s)) return s
  out.push(send(target, { _tag: "TimeoutNow", term: s.term }))
  return forfeitLease(config, s, out)
}

/** Why a leader cannot hand leadership to `target`, or undefined when it starts to. */
export const transferRefusal = (config: RaftConfig, s: RaftState, target: NodeId): string | undefined => {
  if (s.role !== "leader") return "this node does not lead"
  if (target === s.self) return `${target} leads already`
  if (!membersOf(config, s).includes(target) || s.progress[target] === undefined) return `${target} is not a member`
  if (transferTarget(s) !== undefined) return `a transfer to ${transferTarget(s)} is in progress`
  return undefined
}

export const startTransfer = (config: RaftConfig, s: RaftState, target: NodeId, out: Outbox): RaftState => {
  if (transferRefusal(config, s, target) !== undefined) return s
  return timeoutNowIfCaughtUp(config, { ...s, transferTo: target }, target, out)
}

/** After an AppendResult: a target that now holds the whole log is told to campaign. */
export const afterReplicated = (config: RaftConfig, s: RaftState, from: NodeId, out: Outbox): RaftState =>
  transferTarget(s) === from ? timeoutNowIfCaughtUp(config, s, from, out) : s

/** The next member after the leader, in the configuration's order: whom the model's environment asks a leader to hand over to. */
const nextMember = (config: RaftConfig, s: RaftState): NodeId | undefined => {
  const others = membersOf(config, s).filter((node) => node !== s.self)
  return others.find((node) => node > s.self) ?? others[0]
}

export const onTransferTimer = (config: RaftConfig, s: RaftState, out: Outbox): RaftState => {
  const target = nextMember(config, s)
  return target === undefined ? s : startTransfer(config, s, target, out)
}

/** A leader that is handing over refuses client requests, naming the target as the leader to try. */
export const refusedWhileTransferring = (s: RaftState, client: ClientId, request: RaftRequest, out: Outbox): boolean => {
  const target = transferTarget(s)
  if (target === undefined) return false
  out.push(reply(client, { _tag: "Redirect", seq: request.seq, leader: target }))
  return true
}

/** The transfer ends with the leader's CheckQuorum round, done or not (etcd aborts it after an election timeout). */
export const abandonTransfer = (s: RaftState): RaftState => {
  if (s.transferTo === undefined) return s
  const { transferTo: _, ...leader } = s
  return leader
}

/** The target campaigns at once (the term rules applied before, as for AppendEntries). */
export const onTimeoutNow = (config: RaftConfig, s: RaftState, m: TimeoutNowMessage, out: Outbox): RaftState => {
  if (s.role === "leader" || m.term !== s.term || !isMember(config, s)) return s
  out.push(setTimer("election"))
  return campaign(config, s, out, true)
}
