/**
 * What crosses a boundary in the `2pc` spec, each as an effect Schema so the
 * runtime can decode a frame (or a stored log record) and reject what does
 * not fit: the node-to-node messages, the clients' requests and responses,
 * the timers and the durable log records. Every type is derived from its
 * Schema, never written twice.
 *
 * Many transactions run at once, each named by the id the coordinator gives
 * it (`t1`, `t2`, …), so every message names its transaction.
 */
import { Schema } from "effect"

export const TwoPcVote = Schema.Literals(["yes", "no"])
export type TwoPcVote = typeof TwoPcVote.Type

export const TwoPcDecision = Schema.Literals(["commit", "abort"])
export type TwoPcDecision = typeof TwoPcDecision.Type

export const TxId = Schema.String
export type TxId = typeof TxId.Type

/** One key a transaction sets, and its new value. */
export const Write = Schema.Struct({ key: Schema.String, value: Schema.String })
export type Write = typeof Write.Type

// Messages between the coordinator and the participants.

/** coordinator → participant: phase one, "can you commit these writes, your shard of `tx`?" */
export const PrepareMessage = Schema.TaggedStruct("Prepare", { tx: TxId, writes: Schema.Array(Write) })
/** participant → coordinator: the answer to Prepare. */
export const VoteMessage = Schema.TaggedStruct("Vote", { tx: TxId, vote: TwoPcVote })
/** coordinator → participant: phase two, the outcome, sent only once it is in the coordinator's log. */
export const DecisionMessage = Schema.TaggedStruct("Decision", { tx: TxId, decision: TwoPcDecision })
/** participant → coordinator: a participant in doubt (prepared, and the decision is late or was lost) asks for it. */
export const InquireMessage = Schema.TaggedStruct("Inquire", { tx: TxId })

export const TwoPcMessage = Schema.Union([PrepareMessage, VoteMessage, DecisionMessage, InquireMessage])
export type TwoPcMessage = typeof TwoPcMessage.Type

// The clients' API. `seq` is the client's own number for the request, which its response repeats.

/** A new transaction: the coordinator names it, prepares it and answers its outcome. */
export const BeginRequest = Schema.TaggedStruct("Begin", { seq: Schema.Int, writes: Schema.Array(Write) })
/** A key's committed value, read at the participant that owns it. */
export const ReadRequest = Schema.TaggedStruct("Read", { seq: Schema.Int, key: Schema.String })
/** What the node asked knows of a transaction. */
export const TxQueryRequest = Schema.TaggedStruct("TxQuery", { seq: Schema.Int, tx: TxId })

export const TwoPcRequest = Schema.Union([BeginRequest, ReadRequest, TxQueryRequest])
export type TwoPcRequest = typeof TwoPcRequest.Type

/** A participant's vote as the coordinator has it; null while it has not voted. */
export const VoteOf = Schema.Struct({ participant: Schema.String, vote: Schema.NullOr(TwoPcVote) })
export type VoteOf = typeof VoteOf.Type

export const OutcomeResponse = Schema.TaggedStruct("Outcome", {
  seq: Schema.Int,
  tx: TxId,
  decision: TwoPcDecision,
  votes: Schema.Array(VoteOf)
})
export const ValueResponse = Schema.TaggedStruct("Value", { seq: Schema.Int, key: Schema.String, value: Schema.NullOr(Schema.String) })

/**
 * A transaction as one node sees it. The coordinator: `collecting` votes,
 * `committed` or `aborted`. A participant: `working` (deciding its vote),
 * `prepared` (voted yes, waiting for the decision), `blocked` (prepared, and
 * the decision is overdue: it has asked the coordinator and must wait, as it
 * may not decide alone), `committed` or `aborted`. `unknown`: never heard of.
 */
export const TxState = Schema.Literals(["unknown", "collecting", "working", "prepared", "blocked", "committed", "aborted"])
export type TxState = typeof TxState.Type

export const TxViewResponse = Schema.TaggedStruct("TxView", {
  seq: Schema.Int,
  tx: TxId,
  node: Schema.String,
  state: TxState,
  votes: Schema.Array(VoteOf)
})
/** The request belongs at another node: the coordinator for a transaction, a key's owner for a read. */
export const ElsewhereResponse = Schema.TaggedStruct("Elsewhere", { seq: Schema.Int, node: Schema.String })

export const TwoPcResponse = Schema.Union([OutcomeResponse, ValueResponse, TxViewResponse, ElsewhereResponse])
export type TwoPcResponse = typeof TwoPcResponse.Type

// Timers: data that fires any time after it is set. The runtime gives each kind its own duration range.

/** The coordinator stops waiting for `tx`'s votes and aborts it. */
export const VoteTimeoutTimer = Schema.TaggedStruct("VoteTimeout", { tx: TxId })
/** `no-durable-decision` only: the lagging log write of `tx`'s decision completes. */
export const FlushLogTimer = Schema.TaggedStruct("FlushLog", { tx: TxId })
/**
 * A participant's choice, made locally: on Prepare it sets both
 * `CastVote(yes)` and `CastVote(no)`; the first to fire is its vote and
 * cancels the other. The checker explores both; a real cluster draws the
 * yes at once and the no (a local failure) after minutes.
 */
export const CastVoteTimer = Schema.TaggedStruct("CastVote", { tx: TxId, vote: TwoPcVote })
/** A prepared participant's decision is overdue: it asks the coordinator, and reports itself blocked. */
export const InDoubtTimer = Schema.TaggedStruct("InDoubt", { tx: TxId })

export const TwoPcTimer = Schema.Union([VoteTimeoutTimer, FlushLogTimer, CastVoteTimer, InDoubtTimer])
export type TwoPcTimer = typeof TwoPcTimer.Type

// Durable log records: what survives a crash.

/**
 * A transaction in the coordinator's log: written when it begins, with the
 * participants asked (so a restart knows whom to tell), and again with its
 * decision. No decision logged means presumed abort.
 */
export const CoordinatorTxLog = Schema.Struct({
  id: TxId,
  participants: Schema.Array(Schema.String),
  decision: Schema.NullOr(TwoPcDecision),
  votes: Schema.Array(Schema.NullOr(TwoPcVote))
})
export type CoordinatorTxLog = typeof CoordinatorTxLog.Type

export const CoordinatorLog = Schema.Struct({
  role: Schema.Literal("coordinator"),
  /** The number of the next transaction: ids are never reused. */
  next: Schema.Int,
  txs: Schema.Array(CoordinatorTxLog)
})
export type CoordinatorLog = typeof CoordinatorLog.Type

export const ParticipantPhase = Schema.Literals(["working", "prepared", "committed", "aborted"])
export type ParticipantPhase = typeof ParticipantPhase.Type

/**
 * A transaction at a participant: its shard of the writes, its phase and
 * what it answered to Prepare (kept so the properties can ask whether a
 * commit had every yes). `working` is never logged: its work is lost in a
 * crash.
 */
export const ParticipantTxLog = Schema.Struct({
  id: TxId,
  phase: ParticipantPhase,
  voted: Schema.NullOr(TwoPcVote),
  writes: Schema.Array(Write)
})
export type ParticipantTxLog = typeof ParticipantTxLog.Type

/** A participant's committed values: a persistent map (`@parley/kv`'s buckets). */
export const Store = Schema.Union([
  Schema.Struct({ entries: Schema.Record(Schema.String, Schema.String) }),
  Schema.Struct({ size: Schema.Int, buckets: Schema.Record(Schema.String, Schema.Record(Schema.String, Schema.String)) })
])

export const ParticipantLog = Schema.Struct({
  role: Schema.Literal("participant"),
  txs: Schema.Array(ParticipantTxLog),
  store: Store
})
export type ParticipantLog = typeof ParticipantLog.Type

export const TwoPcLog = Schema.Union([CoordinatorLog, ParticipantLog])
export type TwoPcLog = typeof TwoPcLog.Type

export const prepare = (tx: TxId, writes: ReadonlyArray<Write>): TwoPcMessage => ({ _tag: "Prepare", tx, writes })
export const inquire = (tx: TxId): TwoPcMessage => ({ _tag: "Inquire", tx })
export const voteMessage = (tx: TxId, vote: TwoPcVote): TwoPcMessage => ({ _tag: "Vote", tx, vote })
export const decisionMessage = (tx: TxId, decision: TwoPcDecision): TwoPcMessage => ({ _tag: "Decision", tx, decision })
export const castVote = (tx: TxId, vote: TwoPcVote): TwoPcTimer => ({ _tag: "CastVote", tx, vote })
export const voteTimeout = (tx: TxId): TwoPcTimer => ({ _tag: "VoteTimeout", tx })
export const flushLog = (tx: TxId): TwoPcTimer => ({ _tag: "FlushLog", tx })
export const inDoubt = (tx: TxId): TwoPcTimer => ({ _tag: "InDoubt", tx })
