/**
 * What crosses a boundary in single-decree Paxos ("Paxos Made Simple"), each
 * as an effect Schema so the runtime can decode a frame or a stored record
 * and reject what does not fit. Types are derived from the Schemas.
 *
 * Ballots are whole numbers, 0 meaning "none". Proposer `i` of `P` (0-based)
 * owns the ballots `i + 1`, `i + 1 + P`, `i + 1 + 2P`, …, so no two
 * proposers ever use the same ballot.
 */
import { Schema } from "effect"
import { Ballot } from "../ballot.ts"

export const Value = Schema.String
export type Value = typeof Value.Type

/** A vote an acceptor cast: it accepted `value` in `ballot`. */
export const Vote = Schema.Struct({ ballot: Ballot, value: Value })
export type Vote = typeof Vote.Type

/** 1a: a proposer asks the acceptors to promise to ignore every ballot below `ballot`. */
export const PrepareMessage = Schema.TaggedStruct("Prepare", { ballot: Ballot })
/** 1b: the promise, with the acceptor's latest vote, so the proposer can keep a value that may be chosen. */
export const PromiseMessage = Schema.TaggedStruct("Promise", { ballot: Ballot, accepted: Schema.NullOr(Vote) })
/** 2a: a proposer with a quorum of promises asks the acceptors to accept `value` in `ballot`. */
export const AcceptMessage = Schema.TaggedStruct("Accept", { ballot: Ballot, value: Value })
/** 2b: an acceptor tells the learners it accepted `value` in `ballot`. */
export const AcceptedMessage = Schema.TaggedStruct("Accepted", { ballot: Ballot, value: Value })

export const PaxosMessage = Schema.Union([PrepareMessage, PromiseMessage, AcceptMessage, AcceptedMessage])
export type PaxosMessage = typeof PaxosMessage.Type

/**
 * A proposer's one timer: start a new ballot. It fires whenever the
 * proposer has not heard back (a lost message, a rival's higher ballot);
 * the runtime gives it a randomised timeout, the checker fires it anywhere.
 */
export const PaxosTimer = Schema.Literal("new-ballot")
export type PaxosTimer = typeof PaxosTimer.Type

/** Single-decree Paxos has no client API: each proposer proposes the value it is configured with. */
export const PaxosRequest = Schema.Never
export type PaxosRequest = typeof PaxosRequest.Type
export const PaxosResponse = Schema.Never
export type PaxosResponse = typeof PaxosResponse.Type

/** An acceptor must keep its promise and its vote across a crash: forgetting either can let two values be chosen. */
export const AcceptorDurable = Schema.TaggedStruct("Acceptor", { promised: Ballot, accepted: Schema.NullOr(Vote) })
export type AcceptorDurable = typeof AcceptorDurable.Type
/** A proposer must never reuse a ballot, so the highest it started survives. */
export const ProposerDurable = Schema.TaggedStruct("Proposer", { ballot: Ballot })
export type ProposerDurable = typeof ProposerDurable.Type
/** A learner keeps the votes it heard of; a value a quorum voted for in one ballot is chosen. */
export const HeardVote = Schema.Struct({ ballot: Ballot, value: Value, acceptor: Schema.String })
export type HeardVote = typeof HeardVote.Type
export const LearnerDurable = Schema.TaggedStruct("Learner", { votes: Schema.Array(HeardVote) })
export type LearnerDurable = typeof LearnerDurable.Type

export const PaxosDurable = Schema.Union([AcceptorDurable, ProposerDurable, LearnerDurable])
export type PaxosDurable = typeof PaxosDurable.Type
