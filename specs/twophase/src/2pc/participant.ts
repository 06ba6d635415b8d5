/**
 * A participant (resource manager) of two-phase commit with presumed abort:
 * it owns the keys the shard function gives it, keeps their committed
 * values, and takes part in every transaction that writes one of them.
 *
 * - On Prepare, a transaction whose keys another prepared transaction has
 *   locked gets a no at once: conflicts abort, they never wait. Otherwise it
 *   sets CastVote(yes) and CastVote(no), its local choice as data; the first
 *   to fire is its vote and cancels the other, and a yes finds the locks
 *   again (another transaction may have prepared meanwhile).
 * - Voting yes, it becomes prepared and locks the keys — durably, as the
 *   host persists `durable(state)` before sending Vote(yes) — and from then
 *   on it may not decide alone. It sets InDoubt: if that fires before the
 *   decision, it asks the coordinator (Inquire) and reports the transaction
 *   blocked, as it is while the coordinator is down.
 * - Voting no, it aborts at once (unilateral abort is allowed before yes).
 * - A Decision ends a working or prepared transaction; a commit applies its
 *   writes. A Decision for a transaction it never saw is kept too (an Abort
 *   may overtake its Prepare), so a later Prepare gets a no; a Commit for
 *   one is applied as it comes, so that a coordinator bug shows as a broken
 *   `CommitNeedsAllYes`, not as a silent refusal.
 * - Recovery: working transactions were never logged, so their work is
 *   lost; prepared ones are still in doubt (a Decision sent while it was
 *   down was lost with it), so it asks, at once or when InDoubt fires.
 */
import { cancelTimer, reply, send, setTimer, step } from "@parley/core"
import type { ClientId, NodeId, Output, Step } from "@parley/core"
import { bucketGet, bucketSet, emptyBuckets } from "@parley/kv"
import type { Buckets } from "@parley/kv"
import { COORDINATOR } from "./coordinator.ts"
import { castVote, inDoubt, inquire, voteMessage } from "./messages.ts"
import type {
  ParticipantLog,
  ParticipantPhase,
  ParticipantTxLog,
  TwoPcDecision,
  TwoPcMessage,
  TwoPcRequest,
  TwoPcResponse,
  TwoPcTimer,
  TwoPcVote,
  TxId,
  TxState,
  Write
} from "./messages.ts"
import { ownerOf } from "./shards.ts"

export interface ParticipantTx {
  readonly id: TxId
  readonly phase: ParticipantPhase
  /** What it answered to Prepare; durable, so the properties see it on a crashed node too. */
  readonly voted: TwoPcVote | null
  /** Its shard of the transaction's writes. */
  readonly writes: ReadonlyArray<Write>
  /** Prepared, and InDoubt fired before the decision came: it asked, and waits. Volatile. */
  readonly blocked: boolean
}

export interface ParticipantState {
  readonly role: "participant"
  readonly self: NodeId
  readonly txs: ReadonlyArray<ParticipantTx>
  /** The committed value of each key it owns. */
  readonly store: Buckets<string>
}

export interface ParticipantConfig {
  readonly participants: ReadonlyArray<NodeId>
  /** Whether a prepared transaction sets InDoubt (coordinator.ts explains). */
  readonly inquire: boolean
}

type ParticipantStep = Step<ParticipantState, TwoPcMessage, TwoPcTimer, TwoPcResponse>

export const initialParticipant = (self: NodeId): ParticipantState =>
  Object.freeze({ role: "participant", self, txs: Object.freeze([]), store: emptyBuckets })

const other = (vote: TwoPcVote): TwoPcVote => (vote === "yes" ? "no" : "yes")

const withTx = (state: ParticipantState, tx: ParticipantTx): ParticipantState => {
  const index = state.txs.findIndex((old) => old.id === tx.id)
  return { ...state, txs: index < 0 ? [...state.txs, tx] : state.txs.map((old, i) => (i === index ? tx : old)) }
}

/** Another prepared transaction holds a lock on a key `writes` sets. */
const conflicts = (state: ParticipantState, id: TxId, writes: ReadonlyArray<Write>): boolean =>
  state.txs.some((tx) => tx.id !== id && tx.phase === "prepared" && tx.writes.some((held) => writes.some((w) => w.key === held.key)))

/** Votes: yes prepares (and arms InDoubt), no aborts. */
const cast = (
  config: ParticipantConfig,
  state: ParticipantState,
  tx: ParticipantTx,
  vote: TwoPcVote,
  out: ReadonlyArray<Output<TwoPcMessage, TwoPcTimer, TwoPcResponse>>
): ParticipantStep =>
  vote === "yes"
    ? step(withTx(state, { ...tx, phase: "prepared", voted: "yes" }), [
      ...out,
      ...(config.inquire ? [setTimer(inDoubt(tx.id))] : []),
      send(COORDINATOR, voteMessage(tx.id, "yes"))
    ])
    : step(withTx(state, { ...tx, phase: "aborted", voted: "no" }), [...out, send(COORDINATOR, voteMessage(tx.id, "no"))])

/** Ends a transaction with the coordinator's decision, applying a commit's writes and cancelling what it waited on. */
const learn = (config: ParticipantConfig, state: ParticipantState, id: TxId, decision: TwoPcDecision): ParticipantStep => {
  const phase = decision === "commit" ? "committed" : "aborted"
  const tx = state.txs.find((tx) => tx.id === id)
  if (tx === undefined) return step(withTx(state, { id, phase, voted: null, writes: [], blocked: false }))
  if (tx.phase === "committed" || tx.phase === "aborted") return step(state)
  const store = decision === "commit" ? tx.writes.reduce((store, w) => bucketSet(store, w.key, w.value), state.store) : state.store
  const ended = withTx({ ...state, store }, { ...tx, phase, blocked: false })
  return tx.phase === "working"
    ? step(ended, [cancelTimer(castVote(id, "yes")), cancelTimer(castVote(id, "no"))])
    : step(ended, config.inquire ? [cancelTimer(inDoubt(id))] : [])
}

export const participantInit = (self: NodeId): ParticipantStep => step(initialParticipant(self))

export const participantOnMessage = (config: ParticipantConfig, state: ParticipantState, from: NodeId, message: TwoPcMessage): ParticipantStep => {
  if (from !== COORDINATOR) return step(state)
  switch (message._tag) {
    case "Prepare": {
      const known = state.txs.find((tx) => tx.id === message.tx)
      if (known === undefined) {
        const tx: ParticipantTx = { id: message.tx, phase: "working", voted: null, writes: message.writes, blocked: false }
        if (conflicts(state, tx.id, tx.writes)) return cast(config, state, tx, "no", [])
        return step(withTx(state, tx), [setTimer(castVote(tx.id, "yes")), setTimer(castVote(tx.id, "no"))])
      }
      // An early Abort ended it: it can only say no.
      if (known.phase === "aborted" && known.voted === null) return cast(config, state, known, "no", [])
      // It has answered already; the coordinator never asks twice, so this is a duplicate.
      return step(state)
    }
    case "Decision":
      return learn(config, state, message.tx, message.decision)
    case "Vote":
    case "Inquire":
      return step(state)
  }
}

export const participantOnTimer = (config: ParticipantConfig, state: ParticipantState, timer: TwoPcTimer): ParticipantStep => {
  if (timer._tag !== "CastVote" && timer._tag !== "InDoubt") return step(state)
  const tx = state.txs.find((tx) => tx.id === timer.tx)
  if (timer._tag === "InDoubt") {
    return tx?.phase === "prepared" ? step(withTx(state, { ...tx, blocked: true }), [send(COORDINATOR, inquire(tx.id))]) : step(state)
  }
  if (tx?.phase !== "working") return step(state)
  const cancelOther = [cancelTimer(castVote(tx.id, other(timer.vote)))]
  // Another transaction prepared on one of its keys since Prepare came: a yes now would break the lock.
  return cast(config, state, tx, timer.vote === "yes" && conflicts(state, tx.id, tx.writes) ? "no" : timer.vote, cancelOther)
}

const txStateOf = (tx: ParticipantTx | undefined): TxState =>
  tx === undefined ? "unknown" : tx.phase === "prepared" && tx.blocked ? "blocked" : tx.phase

export const participantOnRequest = (config: ParticipantConfig, state: ParticipantState, client: ClientId, request: TwoPcRequest): ParticipantStep => {
  switch (request._tag) {
    case "Begin":
      return step(state, [reply(client, { _tag: "Elsewhere", seq: request.seq, node: COORDINATOR })])
    case "Read": {
      const owner = ownerOf(config.participants, request.key)
      if (owner !== state.self) return step(state, [reply(client, { _tag: "Elsewhere", seq: request.seq, node: owner })])
      return step(state, [reply(client, { _tag: "Value", seq: request.seq, key: request.key, value: bucketGet(state.store, request.key) ?? null })])
    }
    case "TxQuery": {
      const tx = state.txs.find((tx) => tx.id === request.tx)
      const votes = tx === undefined ? [] : [{ participant: state.self, vote: tx.voted }]
      return step(state, [reply(client, { _tag: "TxView", seq: request.seq, tx: request.tx, node: state.self, state: txStateOf(tx), votes })])
    }
  }
}

/** Each transaction's record, made once per version of it, so the store rewrites only what changed. */
const records = new WeakMap<ParticipantTx, ParticipantTxLog>()
const recordOf = (tx: ParticipantTx): ParticipantTxLog => {
  let record = records.get(tx)
  if (record === undefined) {
    record = { id: tx.id, phase: tx.phase, voted: tx.voted, writes: tx.writes }
    records.set(tx, record)
  }
  return record
}

export const participantDurable = (state: ParticipantState): ParticipantLog => ({
  role: "participant",
  txs: state.txs.filter((tx) => tx.phase !== "working").map(recordOf),
  store: state.store
})

export const participantRecover = (config: ParticipantConfig, self: NodeId, log: ParticipantLog): ParticipantStep => {
  const txs = log.txs.map((record): ParticipantTx => ({ ...record, blocked: false }))
  const prepared = txs.filter((tx) => tx.phase === "prepared")
  // A Decision sent while it was down was lost with it: ask now, or when InDoubt fires.
  const ask = prepared.map((tx) => (config.inquire ? setTimer(inDoubt(tx.id)) : send(COORDINATOR, inquire(tx.id))))
  return step({ role: "participant", self, txs, store: log.store }, ask)
}
