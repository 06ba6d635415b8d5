/**
 * Linearizable reads without a log entry (Raft thesis §6.4). ReadIndex, the
 * default: a leader that has committed an entry of its term takes its
 * commit index as the read's index, confirms it still leads by a round of
 * heartbeats a majority answers (etcd's ReadOnlySafe), and answers once it
 * has applied that index. Reads that arrive while a round is in flight wait
 * for the next one, so any number of reads share one round each way.
 *
 * Lease reads (`leaseReads`, etcd's ReadOnlyLeaseBased): a leader whose
 * lease holds answers at once. The lease is the `lease` timer, armed when a
 * round is sent and held once a majority answered that round. Each follower
 * that answered reset its election timer on receiving the round, after the
 * lease's timer started; with CheckQuorum it refuses votes until that timer
 * fires. So no other leader can be elected before the lease ends, provided
 * the lease is shorter than the shortest election timeout by more than the
 * clocks can drift apart in that time. The model's timers fire in any order
 * (unbounded drift); the spec's boundary states the assumption instead
 * (lease-clock.ts).
 */
import { cancelTimer, reply, send, setTimer } from "@parley/core"
import type { ClientId, NodeId } from "@parley/core"
import { readKv } from "@parley/kv"
import { noReads } from "./read-state.ts"
import type { LeaderReads, PendingRead } from "./read-state.ts"
import { hasQuorum, replicationTargets } from "./membership.ts"
import { appendTo } from "./replication.ts"
import { termAt } from "./state.ts"
import type { Outbox, RaftConfig, RaftState } from "./state.ts"

/** Only once a leader committed an entry of its own term is its commit index at least every committed entry's (§6.4, step 1). */
const committedInTerm = (s: RaftState): boolean => termAt(s, s.commitIndex) === s.term

/** The latest round a majority of the leader's configuration answered, the leader included; 0 for none. */
const confirmedRound = (config: RaftConfig, s: RaftState, round: number, acked: LeaderReads["acked"]): number => {
  if (hasQuorum(config, s, [s.self])) return round
  const answers = [...new Set(Object.values(acked))].sort((a, b) => b - a)
  for (const answer of answers) {
    const voters = [s.self]
    for (const peer in acked) if (acked[peer]! >= answer) voters.push(peer)
    if (hasQuorum(config, s, voters)) return answer
  }
  return 0
}

/** A Get at the leader waits for the next round of heartbeats (settleReads starts it); a retry of one already waiting adds nothing. */
export const onRead = (s: RaftState, client: ClientId, seq: number, key: string): RaftState => {
  const { reads } = s
  if (reads.pending.some((read) => read.client === client && read.seq === seq)) return s
  const read: PendingRead = { client, seq, key, index: committedInTerm(s) ? s.commitIndex : -1, round: reads.round + 1 }
  return { ...s, reads: { ...reads, pending: [...reads.pending, read] } }
}

/**
 * Starts the next round: this step's AppendEntries carry its number, and a
 * peer this step sent none gets one now. All of them leave after every
 * read that waits for the round arrived.
 */
const startRound = (config: RaftConfig, s: RaftState, reads: LeaderReads, out: Outbox): RaftState => {
  const round = reads.round + 1
  let leader: RaftState = { ...s, reads: { ...reads, round, confirmed: confirmedRound(config, s, round, reads.acked) } }
  const sent = new Set<NodeId>()
  for (let k = 0; k < out.length; k++) {
    const output = out[k]!
    if (output._tag !== "Send" || output.message._tag !== "AppendEntries") continue
    out[k] = send(output.to, { ...output.message, read: round })
    sent.add(output.to)
  }
  for (const peer of replicationTargets(config, s)) if (!sent.has(peer)) leader = appendTo(config, leader, peer, out)
  return leader
}

/** A peer answered round `read`, or a later one. */
export const onReadAck = (config: RaftConfig, s: RaftState, from: NodeId, read: number | undefined): RaftState => {
  if (read === undefined || s.role !== "leader" || (s.reads.acked[from] ?? 0) >= read) return s
  const acked = { ...s.reads.acked, [from]: read }
  return { ...s, reads: { ...s.reads, acked, confirmed: confirmedRound(config, s, s.reads.round, acked) } }
}

/**
 * The lease ran out: the leader renews it with a new round and arms its
 * timer again, and serves no read on it until a majority answers.
 * lease-past-expiry: it takes the timer for a reminder, not the end, and
 * keeps serving reads on the lease it holds, renewing nothing.
 */
export const onLeaseTimeout = (config: RaftConfig, s: RaftState, out: Outbox): RaftState => {
  const { lease } = s.reads
  if (s.role !== "leader" || lease === null || (config.bugs.leasePastExpiry && lease.held)) return s
  out.push(setTimer("lease"))
  return startRound(config, s, { ...s.reads, lease: { round: s.reads.round + 1, held: false } }, out)
}

/** A leader that sends TimeoutNow gives up its lease for the rest of its term; ReadIndex still serves (read-state.ts). */
export const forfeitLease = (config: RaftConfig, s: RaftState, out: Outbox): RaftState => {
  if (config.leaseReads !== true || s.reads.leaseForfeited === true) return s
  if (s.reads.lease !== null) out.push(cancelTimer("lease"))
  return { ...s, reads: { ...s.reads, lease: null, leaseForfeited: true } }
}

/** A leader that lost its term answers its waiting reads with the leader it knows now, and keeps nothing of them. */
const dropReads = (s: RaftState, out: Outbox): RaftState => {
  for (const read of s.reads.pending) out.push(reply(read.client, { _tag: "Redirect", seq: read.seq, leader: s.leader }))
  if (s.reads.lease !== null) out.push(cancelTimer("lease"))
  return { ...s, reads: noReads }
}

/** Every waiting read whose index is known, whose round a majority answered or whose leader holds its lease, and whose index is applied, answered. */
const answered = (s: RaftState, reads: LeaderReads, out: Outbox): LeaderReads => {
  if (reads.pending.length === 0) return reads
  const leased = reads.lease !== null && reads.lease.held
  let { byIndex, byLease } = reads
  const waiting: Array<PendingRead> = []
  for (const read of reads.pending) {
    const confirmed = read.round <= reads.confirmed
    if (read.index < 0 || !(confirmed || leased) || s.lastApplied < read.index) {
      waiting.push(read)
      continue
    }
    out.push(reply(read.client, { _tag: "Done", seq: read.seq, output: readKv(s.store, read.key) }))
    if (confirmed) byIndex++
    else byLease++
  }
  return waiting.length === reads.pending.length ? reads : { ...reads, pending: waiting, byIndex, byLease }
}

/** Waiting reads given their index once the leader committed in its term, the lease taken once a majority answered its round, and what can be answered, answered. */
const served = (s: RaftState, out: Outbox): LeaderReads => {
  let reads = s.reads
  if (committedInTerm(s) && reads.pending.some((read) => read.index < 0)) {
    reads = { ...reads, pending: reads.pending.map((read) => (read.index < 0 ? { ...read, index: s.commitIndex } : read)) }
  }
  if (reads.lease !== null && !reads.lease.held && reads.confirmed >= reads.lease.round) reads = { ...reads, lease: { ...reads.lease, held: true } }
  return answered(s, reads, out)
}

/** The next round, when reads wait for one and none is in flight, or a lease when lease reads are on and none is armed. */
const nextRound = (config: RaftConfig, s: RaftState, out: Outbox): RaftState => {
  const { reads } = s
  if (config.leaseReads === true && reads.lease === null && reads.leaseForfeited !== true) {
    out.push(setTimer("lease"))
    return startRound(config, s, { ...reads, lease: { round: reads.round + 1, held: false } }, out)
  }
  const needsRound = reads.round === reads.confirmed && reads.pending.some((read) => read.round > reads.round)
  return needsRound ? startRound(config, s, reads, out) : s
}

/**
 * After every step: a leader answers what it can, then starts the round
 * its reads or its lease need (a single node's round is confirmed at once,
 * so it answers again). A node that stopped leading drops its reads.
 */
export const settleReads = (config: RaftConfig, s: RaftState, out: Outbox): RaftState => {
  if (s.role !== "leader") return s.reads === noReads ? s : dropReads(s, out)
  if (s.reads.pending.length === 0 && config.leaseReads !== true) return s
  const reads = served(s, out)
  const leader = nextRound(config, reads === s.reads ? s : { ...s, reads }, out)
  if (leader.reads.round === reads.round || leader.reads.confirmed < leader.reads.round) return leader
  return { ...leader, reads: served(leader, out) }
}
