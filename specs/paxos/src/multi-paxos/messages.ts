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
import { bucketsSchema, KvInput, KvRequest, KvResponse, KvSessionSchema } from "@parley/kv"
import { Schema } from "effect"
import { Ballot } from "../ballot.ts"

export const Slot = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
export type Slot = typeof Slot.Type

const Seq = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

/**
 * A client's command as a slot carries it: who asked, their sequence number
 * (so a retry takes effect once), what; and, from a leader with a clock, the
 * time it proposed the command and, every so often, the time before which
 * idle client sessions end (see sessions.ts). A model's commands carry no time.
 */
export const Command = Schema.Struct({
  client: Schema.String,
  seq: Seq,
  op: KvInput,
  at: Schema.optionalKey(Schema.Int),
  expireBefore: Schema.optionalKey(Schema.Int)
})
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

/**
 * The leader's heartbeat: it leads `ballot` and has learned every slot up to
 * `chosen`; every node has a snapshot through `compacted`, so the slots up to
 * it may be forgotten. A follower learns the slots up to `chosen` in which it
 * voted in `ballot` (the leader proposes one command per slot in a ballot),
 * and stays a follower while heartbeats come.
 */
export const CommitMessage = Schema.TaggedStruct("Commit", { ballot: Ballot, chosen: Schema.Int, compacted: Schema.Int })
/** A follower's answer to a heartbeat or a catch-up: the slots it applied, and the slot its durable snapshot reaches. */
export const ProgressMessage = Schema.TaggedStruct("Progress", { ballot: Ballot, applied: Schema.Int, saved: Schema.Int })
/** A slot chosen, as the leader's log tells it to a follower that lacks it. */
export const Chosen = Schema.Struct({ slot: Slot, command: SlotValue })
export type Chosen = typeof Chosen.Type

/** The store and sessions with every slot up to `through` applied: what a node keeps of the slots it forgot. */
export const Snapshot = Schema.Struct({
  through: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  store: bucketsSchema(Schema.String),
  sessions: bucketsSchema(KvSessionSchema)
})
export type Snapshot = typeof Snapshot.Type

/**
 * Catch-up: the chosen slots after the follower's `applied`, from the
 * leader's log, preceded by the leader's snapshot when its log no longer
 * reaches back that far (a follower that restarted from an older snapshot).
 */
export const LearnMessage = Schema.TaggedStruct("Learn", { ballot: Ballot, snapshot: Schema.NullOr(Snapshot), entries: Schema.Array(Chosen) })

export const MultiPaxosMessage = Schema.Union([PrepareMessage, PromiseMessage, AcceptMessage, AcceptedMessage, CommitMessage, ProgressMessage, LearnMessage])
export type MultiPaxosMessage = typeof MultiPaxosMessage.Type

/**
 * `campaign`: try to lead, with the next ballot. It stands for the failure
 * detector that makes a node suspect the leader: a follower sets it again
 * on every heartbeat, so it fires only when the leader went quiet. The
 * checker fires it at any moment, so every leader change is explored; the
 * runtime gives it a randomised timeout. `heartbeat`: a leader's periodic
 * Commit, and the resend of its proposals not yet chosen.
 */
export const MultiPaxosTimer = Schema.Literals(["campaign", "heartbeat"])
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
 * reusing a ballot: its next is always above what it promised. The votes
 * kept are those above the snapshot's slot: what the snapshot covers, every
 * node has applied and saved (see compaction.ts).
 */
export const MultiPaxosDurable = Schema.Struct({ promised: Ballot, accepted: Schema.Array(SlotVote), snapshot: Snapshot })
export type MultiPaxosDurable = typeof MultiPaxosDurable.Type
