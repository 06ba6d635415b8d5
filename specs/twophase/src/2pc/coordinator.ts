/**
 * The coordinator of two-phase commit with presumed abort (Gray 1978;
 * Bernstein, Hadzilacos & Goodman ch. 7; Mohan, Lindsay & Obermarck 1986),
 * for many transactions at once.
 *
 * - On Begin it names the transaction (`t1`, `t2`, … from a durable
 *   counter), logs it with the participants that own its keys, sends each
 *   its shard of the writes in Prepare, and sets VoteTimeout.
 * - Every asked participant's yes → commit; a no, or VoteTimeout → abort.
 * - Deciding writes the decision to the log (`durable` includes it) in the
 *   same step that sends it: the host persists `durable(state)` before it
 *   performs the sends and the reply, so neither a participant nor the
 *   client can learn a decision the log lacks.
 * - An Inquire is answered with the decision once there is one; an
 *   undecided transaction's decision goes to its participants anyway, and
 *   answering Abort early could contradict a later commit. A transaction the
 *   coordinator never logged was never prepared: presumed abort.
 * - Recovery: a logged decision is sent again to the transaction's
 *   participants; a transaction logged without one was collecting votes, so
 *   it is aborted (presumed abort), logged and sent, and no participant has
 *   to wait for a question. The clients' connections do not survive the
 *   crash, so nobody is answered; they ask with TxQuery.
 * - A yes that comes after the decision (a participant lost its work in a
 *   crash and then took a stale Prepare) is answered with the decision.
 * - A Begin repeated by its client (the host retries with the same client
 *   and `seq`) is the same transaction, answered once it is decided.
 *
 * The variant `no-durable-decision` sends the decision before its log write
 * completes: `logged` stays false until a FlushLog timer fires, and a crash in
 * between loses the decision, so recovery presumes abort after participants
 * may already have committed.
 */
import { cancelTimer, reply, send, setTimer, step } from "@parley/core"
import type { ClientId, NodeId, Output, Step } from "@parley/core"
import { decisionMessage, flushLog, prepare, voteTimeout } from "./messages.ts"
import type {
  CoordinatorLog,
  CoordinatorTxLog,
  TwoPcDecision,
  TwoPcMessage,
  TwoPcRequest,
  TwoPcResponse,
  TwoPcTimer,
  TwoPcVote,
  TxId,
  VoteOf,
  Write
} from "./messages.ts"
import { ownerOf, shardsOf } from "./shards.ts"

export const COORDINATOR: NodeId = "coordinator"

export interface CoordinatorTx {
  readonly id: TxId
  /** The participants that own a key it writes, in declared order. */
  readonly participants: ReadonlyArray<NodeId>
  /** Each participant's vote, by the index of `participants`; null until it comes. */
  readonly votes: ReadonlyArray<TwoPcVote | null>
  /** null while collecting votes. */
  readonly decision: TwoPcDecision | null
  /** The decision is in the log: at once, except in `no-durable-decision`. */
  readonly logged: boolean
  /** Who asked, and its number for the request: whom to answer, and how to know a repeated Begin; volatile, null after a restart. */
  readonly client: ClientId | null
  readonly seq: number
}

/** `recovered` is a ghost for properties and traces: this incarnation began in `recover`. */
export interface CoordinatorState {
  readonly role: "coordinator"
  readonly next: number
  readonly txs: ReadonlyArray<CoordinatorTx>
  readonly recovered: boolean
}

/** The coordinator's known bugs, each a flag the correct spec leaves off (`twoPhaseCommitSpec` describes them). */
export interface TwoPcBugs {
  /** The `no-durable-decision` bug: the log write lags behind the sends. */
  readonly lazyLog: boolean
}

export const twoPcCorrect: TwoPcBugs = { lazyLog: false }

export interface CoordinatorConfig extends TwoPcBugs {
  /** The participants' ids, in declaration order: the order that assigns keys to owners. */
  readonly participants: ReadonlyArray<NodeId>
  /**
   * A prepared participant whose decision is overdue (its InDoubt timer)
   * asks for it and reports itself blocked, as a real cluster does; off, it
   * asks only when it restarts, which the checker explores in a fraction of
   * the states and which loses no outcome on a network that keeps messages.
   */
  readonly inquire: boolean
}

type CoordinatorStep = Step<CoordinatorState, TwoPcMessage, TwoPcTimer, TwoPcResponse>
type CoordinatorOutput = Output<TwoPcMessage, TwoPcTimer, TwoPcResponse>

export const initialCoordinator: CoordinatorState = Object.freeze({ role: "coordinator", next: 1, txs: Object.freeze([]), recovered: false })

export const votesOf = (tx: CoordinatorTx): ReadonlyArray<VoteOf> =>
  tx.participants.map((participant, i) => ({ participant, vote: tx.votes[i]! }))

const outcomeOf = (tx: CoordinatorTx, decision: TwoPcDecision, seq: number): TwoPcResponse =>
  ({ _tag: "Outcome", seq, tx: tx.id, decision, votes: votesOf(tx) })

const replace = (state: CoordinatorState, index: number, tx: CoordinatorTx): CoordinatorState =>
  ({ ...state, txs: state.txs.map((old, i) => (i === index ? tx : old)) })

/** Decides `tx`, logs it (unless the log lags), tells its participants and answers its client. */
const decide = (config: CoordinatorConfig, state: CoordinatorState, index: number, decision: TwoPcDecision): CoordinatorStep => {
  const tx = state.txs[index]!
  const decided: CoordinatorTx = { ...tx, decision, logged: !config.lazyLog }
  const out: Array<CoordinatorOutput> = [cancelTimer(voteTimeout(tx.id))]
  out.push(...tx.participants.map((to) => send(to, decisionMessage(tx.id, decision))))
  if (tx.client !== null) out.push(reply(tx.client, outcomeOf(tx, decision, tx.seq)))
  if (config.lazyLog) out.push(setTimer(flushLog(tx.id)))
  return step(replace(state, index, decided), out)
}

const begin = (config: CoordinatorConfig, state: CoordinatorState, client: ClientId, seq: number, writes: ReadonlyArray<Write>): CoordinatorStep => {
  const id = `t${state.next}`
  const shards = shardsOf(config.participants, writes)
  const tx: CoordinatorTx = {
    id,
    participants: shards.map((shard) => shard.participant),
    votes: shards.map(() => null),
    decision: null,
    logged: false,
    client,
    seq
  }
  const begun: CoordinatorState = { ...state, next: state.next + 1, txs: [...state.txs, tx] }
  // Nothing to ask: a transaction that writes nothing commits at once.
  if (shards.length === 0) return decide(config, begun, begun.txs.length - 1, "commit")
  return step(begun, [...shards.map((shard) => send(shard.participant, prepare(id, shard.writes))), setTimer(voteTimeout(id))])
}

export const coordinatorInit = (): CoordinatorStep => step(initialCoordinator)

export const coordinatorOnRequest = (
  config: CoordinatorConfig,
  state: CoordinatorState,
  client: ClientId,
  request: TwoPcRequest
): CoordinatorStep => {
  switch (request._tag) {
    case "Begin": {
      // The host asks again while it waits: the same transaction, answered when it is decided.
      const again = state.txs.find((tx) => tx.client === client && tx.seq === request.seq)
      if (again !== undefined) return step(state, again.decision === null ? [] : [reply(client, outcomeOf(again, again.decision, again.seq))])
      return begin(config, state, client, request.seq, request.writes)
    }
    case "Read":
      return step(state, [reply(client, { _tag: "Elsewhere", seq: request.seq, node: ownerOf(config.participants, request.key) })])
    case "TxQuery": {
      const tx = state.txs.find((tx) => tx.id === request.tx)
      const txState = tx === undefined ? "unknown" : tx.decision === null ? "collecting" : tx.decision === "commit" ? "committed" : "aborted"
      return step(state, [
        reply(client, { _tag: "TxView", seq: request.seq, tx: request.tx, node: COORDINATOR, state: txState, votes: tx === undefined ? [] : votesOf(tx) })
      ])
    }
  }
}

export const coordinatorOnMessage = (
  config: CoordinatorConfig,
  state: CoordinatorState,
  from: NodeId,
  message: TwoPcMessage
): CoordinatorStep => {
  if (!config.participants.includes(from)) return step(state)
  switch (message._tag) {
    case "Vote": {
      const index = state.txs.findIndex((tx) => tx.id === message.tx)
      const tx = state.txs[index]
      const asked = tx === undefined ? -1 : tx.participants.indexOf(from)
      if (tx === undefined || asked < 0) return step(state)
      // A late vote (a participant restarted and took a stale Prepare) gets the decision, or it would wait forever.
      if (tx.decision !== null) return step(state, message.vote === "yes" ? [send(from, decisionMessage(tx.id, tx.decision))] : [])
      if (message.vote === "no") return decide(config, replace(state, index, { ...tx, votes: tx.votes.map((v, i) => (i === asked ? "no" : v)) }), index, "abort")
      if (tx.votes[asked] === "yes") return step(state)
      const voted: CoordinatorTx = { ...tx, votes: tx.votes.map((v, i) => (i === asked ? "yes" : v)) }
      const next = replace(state, index, voted)
      return voted.votes.every((v) => v === "yes") ? decide(config, next, index, "commit") : step(next)
    }
    case "Inquire": {
      const tx = state.txs.find((tx) => tx.id === message.tx)
      // Never logged, so never prepared by this coordinator: presumed abort.
      if (tx === undefined) return step(state, [send(from, decisionMessage(message.tx, "abort"))])
      return tx.decision === null ? step(state) : step(state, [send(from, decisionMessage(tx.id, tx.decision))])
    }
    case "Prepare":
    case "Decision":
      return step(state)
  }
}

export const coordinatorOnTimer = (config: CoordinatorConfig, state: CoordinatorState, timer: TwoPcTimer): CoordinatorStep => {
  const index = timer._tag === "VoteTimeout" || timer._tag === "FlushLog" ? state.txs.findIndex((tx) => tx.id === timer.tx) : -1
  const tx = state.txs[index]
  if (tx === undefined) return step(state)
  if (timer._tag === "VoteTimeout") return tx.decision === null ? decide(config, state, index, "abort") : step(state)
  return tx.decision !== null && !tx.logged ? step(replace(state, index, { ...tx, logged: true })) : step(state)
}

/** Each transaction's record, made once per version of it, so the store rewrites only the transactions that changed. */
const records = new WeakMap<CoordinatorTx, CoordinatorTxLog>()
const recordOf = (tx: CoordinatorTx): CoordinatorTxLog => {
  let record = records.get(tx)
  if (record === undefined) {
    record = { id: tx.id, participants: tx.participants, decision: tx.logged ? tx.decision : null, votes: tx.votes }
    records.set(tx, record)
  }
  return record
}

export const coordinatorDurable = (state: CoordinatorState): CoordinatorLog => ({
  role: "coordinator",
  next: state.next,
  txs: state.txs.map(recordOf)
})

export const coordinatorRecover = (log: CoordinatorLog): CoordinatorStep => {
  const out: Array<CoordinatorOutput> = []
  const txs = log.txs.map((record): CoordinatorTx => {
    const decision = record.decision ?? "abort"
    out.push(...record.participants.map((to) => send(to, decisionMessage(record.id, decision))))
    return { id: record.id, participants: record.participants, votes: record.votes, decision, logged: true, client: null, seq: 0 }
  })
  return step({ role: "coordinator", next: log.next, txs, recovered: true }, out)
}
