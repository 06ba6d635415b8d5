/**
 * What crosses a boundary in the `2pc` spec, each as an effect Schema so the
 * runtime can decode a frame (or a stored log record) and reject what does
 * not fit: the node-to-node messages, the client's request and response,
 * the timers and the durable log records. Every type is derived from its
 * Schema, never written twice.
 *
 * The spec covers one transaction, so no message carries a transaction id.
 */
import { Schema } from "effect"

export const TwoPcVote = Schema.Literals(["yes", "no"])
export type TwoPcVote = typeof TwoPcVote.Type

export const TwoPcDecision = Schema.Literals(["commit", "abort"])
export type TwoPcDecision = typeof TwoPcDecision.Type

// Messages between the coordinator and the participants.

/** coordinator → participant: phase one, "can you commit?" */
export const PrepareMessage = Schema.TaggedStruct("Prepare", {})
/** participant → coordinator: the answer to Prepare. */
export const VoteMessage = Schema.TaggedStruct("Vote", { vote: TwoPcVote })
/** coordinator → participant: phase two, the outcome, sent only once it is in the coordinator's log. */
export const DecisionMessage = Schema.TaggedStruct("Decision", { decision: TwoPcDecision })
/** participant → coordinator: a participant restarted in doubt (prepared) asks for the outcome. */
export const InquireMessage = Schema.TaggedStruct("Inquire", {})

export const TwoPcMessage = Schema.Union([PrepareMessage, VoteMessage, DecisionMessage, InquireMessage])
export type TwoPcMessage = typeof TwoPcMessage.Type

// The client's API.

export const BeginRequest = Schema.TaggedStruct("Begin", {})
export const TwoPcRequest = BeginRequest
export type TwoPcRequest = typeof TwoPcRequest.Type

export const OutcomeResponse = Schema.TaggedStruct("Outcome", { decision: TwoPcDecision })
export const TwoPcResponse = OutcomeResponse
export type TwoPcResponse = typeof TwoPcResponse.Type

// Timers: data that fires any time after it is set. The runtime gives each kind its own duration range.

/** The coordinator stops waiting for votes and aborts. */
export const VoteTimeoutTimer = Schema.TaggedStruct("VoteTimeout", {})
/** `no-durable-decision` only: the lagging log write of the decision completes. */
export const FlushLogTimer = Schema.TaggedStruct("FlushLog", {})
/**
 * A prepared participant's choice, made locally: on Prepare it sets both
 * `CastVote(yes)` and `CastVote(no)`; the first to fire is its vote and
 * cancels the other. The checker explores both; the runtime picks by timing.
 */
export const CastVoteTimer = Schema.TaggedStruct("CastVote", { vote: TwoPcVote })

export const TwoPcTimer = Schema.Union([VoteTimeoutTimer, FlushLogTimer, CastVoteTimer])
export type TwoPcTimer = typeof TwoPcTimer.Type

// Durable log records: what survives a crash.

/** The coordinator's log: its decision, once written. No record means presumed abort. */
export const CoordinatorLog = Schema.Struct({
  role: Schema.Literal("coordinator"),
  decision: Schema.NullOr(TwoPcDecision)
})
export type CoordinatorLog = typeof CoordinatorLog.Type

export const ParticipantPhase = Schema.Literals(["working", "prepared", "committed", "aborted"])
export type ParticipantPhase = typeof ParticipantPhase.Type

/**
 * A participant's log: `working` means no record (its work is lost in a
 * crash); `voted` is what it answered to Prepare, kept so the properties can
 * ask whether a commit had every participant's yes.
 */
export const ParticipantLog = Schema.Struct({
  role: Schema.Literal("participant"),
  phase: ParticipantPhase,
  voted: Schema.NullOr(TwoPcVote)
})
export type ParticipantLog = typeof ParticipantLog.Type

export const TwoPcLog = Schema.Union([CoordinatorLog, ParticipantLog])
export type TwoPcLog = typeof TwoPcLog.Type

// The values reducers send, built once: messages are immutable data, so one object serves every send.

const voteYes: TwoPcMessage = Object.freeze({ _tag: "Vote", vote: "yes" })
const voteNo: TwoPcMessage = Object.freeze({ _tag: "Vote", vote: "no" })
const commit: TwoPcMessage = Object.freeze({ _tag: "Decision", decision: "commit" })
const abort: TwoPcMessage = Object.freeze({ _tag: "Decision", decision: "abort" })
const outcomeCommit: TwoPcResponse = Object.freeze({ _tag: "Outcome", decision: "commit" })
const outcomeAbort: TwoPcResponse = Object.freeze({ _tag: "Outcome", decision: "abort" })
const castYes: TwoPcTimer = Object.freeze({ _tag: "CastVote", vote: "yes" })
const castNo: TwoPcTimer = Object.freeze({ _tag: "CastVote", vote: "no" })

export const prepare: TwoPcMessage = Object.freeze({ _tag: "Prepare" })
export const inquire: TwoPcMessage = Object.freeze({ _tag: "Inquire" })
export const voteMessage = (vote: TwoPcVote): TwoPcMessage => (vote === "yes" ? voteYes : voteNo)
export const decisionMessage = (decision: TwoPcDecision): TwoPcMessage => (decision === "commit" ? commit : abort)
export const outcome = (decision: TwoPcDecision): TwoPcResponse => (decision === "commit" ? outcomeCommit : outcomeAbort)
export const castVote = (vote: TwoPcVote): TwoPcTimer => (vote === "yes" ? castYes : castNo)
export const voteTimeout: TwoPcTimer = Object.freeze({ _tag: "VoteTimeout" })
export const flushLog: TwoPcTimer = Object.freeze({ _tag: "FlushLog" })
export const begin: TwoPcRequest = Object.freeze({ _tag: "Begin" })
