/**
 * What crosses a boundary in Multi-Paxos, each as an effect Schema so the
 * runtime can decode a frame, a client request or a stored record and reject
 * what does not fit. Types are derived from the Schemas.
 *
 * The log is a sequence of slots, numbered from 1; each slot is one instance
 * of Paxos. Ballots are single-decree Paxos's: whole numbers, 0 meaning
 * "none", and ballot `b` belongs to node `((b - 1) mod N) + 1`, so no two
 * nodes share one and every node knows who leads a ballot it promised.
 */
import { KvInput, KvRequest, KvResponse } from "@parley/kv"
import { Schema } from "effect"
import { Ballot } from "../ballot.ts"

export const Slot = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
export type Slot = typeof Slot.Type

const Seq = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

/** A client's command as a slot carries it: who asked, their sequence number (so a retry takes effect once), what. */
export const Command = Schema.Struct({ client: Schema.String, seq: Seq, op: KvInput })
export type Command = typeof Command.Type

/** What a slot decides: a client's command, or null for the no-op a new leader fills a gap with. */
export const SlotValue = Schema.NullOr(Command)
export type SlotValue = typeof SlotValue.Type

/** An acceptor's vote in one slot: it accepted `command` there in `ballot`. */
export const SlotVote = Schema.Struct({ slot: Slot, ballot: Ballot, command: SlotValue })
export type SlotVote = typeof SlotVote.Type

/** 1a, once for the whole log: promise `ballot` for every slot from `fromSlot` on (the slots below it the leader has learned). */
export const PrepareMessage = Schema.TaggedStruct("Prepare", { ballot: Ballot, fromSlot: Slot })
/** 1b: the promise, with the acceptor's vote in each slot from `fromSlot` on, so the leader can keep what may be chosen. */
export const PromiseMessage = Schema.TaggedStruct("Promise", { ballot: Ballot, votes: Schema.Array(SlotVote) })
/** 2a: the leader of `ballot` asks an acceptor to accept `command` in `slot`. */
export const AcceptMessage = Schema.TaggedStruct("Accept", { ballot: Ballot, slot: Slot, command: SlotValue })
/** 2b: the acceptor tells the leader of `ballot` it accepted the leader's command in `slot`. */
export const AcceptedMessage = Schema.TaggedStruct("Accepted", { ballot: Ballot, slot: Slot })

export const MultiPaxosMessage = Schema.Union([PrepareMessage, PromiseMessage, AcceptMessage, AcceptedMessage])
export type MultiPaxosMessage = typeof MultiPaxosMessage.Type

/**
 * A node's one timer: try to lead, with its next ballot. It stands for the
 * failure detector that makes a node suspect the leader; the checker fires
 * it at any moment, so every leader change is explored, and the runtime
 * would give it a randomised timeout.
 */
export const MultiPaxosTimer = Schema.Literal("campaign")
export type MultiPaxosTimer = typeof MultiPaxosTimer.Type

/** Multi-Paxos serves the replicated key-value store's requests and responses as they are. */
export const MultiPaxosRequest = KvRequest
export type MultiPaxosRequest = KvRequest
export const MultiPaxosResponse = KvResponse
export type MultiPaxosResponse = KvResponse

/**
 * What survives a crash: the acceptor's promise and its vote in each slot
 * (the highest-ballot one, sorted by slot). Losing either can let two
 * commands be chosen in one slot. The promise also keeps the node from
 * reusing a ballot: its next is always above what it promised.
 */
export const MultiPaxosDurable = Schema.Struct({ promised: Ballot, accepted: Schema.Array(SlotVote) })
export type MultiPaxosDurable = typeof MultiPaxosDurable.Type
