/**
 * What crosses a boundary in Raft, each as an effect Schema so the runtime can
 * decode a frame, a client request or a stored record and reject what does
 * not fit: node-to-node messages, the client API, timers and the durable
 * state. Types are derived from the Schemas, never written twice.
 */
import { KvInput, KvRequest, KvResponse } from "@parley/kv"
import { Schema } from "effect"
import { isLogShape, LogChunk } from "./log.ts"
import type { ChunkedLog } from "./log.ts"

const Term = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const Index = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const NodeId = Schema.String

/**
 * A client's command as the log carries it: who asked, their sequence number
 * (for deduplication), what; and, from a leader with a clock, the time it
 * appended the command and, every so often, the time before which idle
 * client sessions end (state-machine.ts).
 */
export const Command = Schema.Struct({
  client: Schema.String,
  seq: Schema.Int,
  op: KvInput,
  at: Schema.optionalKey(Schema.Int),
  expireBefore: Schema.optionalKey(Schema.Int)
})
export type Command = typeof Command.Type

/** A log entry. `command` is null for the empty entry a new leader appends to commit its predecessors' entries. */
export const Entry = Schema.Struct({ term: Term, command: Schema.NullOr(Command) })
export type Entry = typeof Entry.Type

export type RaftLog = ChunkedLog<Entry>

/**
 * RequestVote. With `pre`, a PreVote (thesis §9.6): `term` is the term the
 * sender would campaign in, and no receiver changes its own term for it.
 */
export const RequestVote = Schema.TaggedStruct("RequestVote", {
  term: Term,
  pre: Schema.Boolean,
  lastLogIndex: Index,
  lastLogTerm: Term
})

export const Vote = Schema.TaggedStruct("Vote", { term: Term, pre: Schema.Boolean, granted: Schema.Boolean })

export const AppendEntries = Schema.TaggedStruct("AppendEntries", {
  term: Term,
  prevLogIndex: Index,
  prevLogTerm: Term,
  entries: Schema.Array(Entry),
  leaderCommit: Index
})

/**
 * The answer to AppendEntries. On success `matchIndex` is the last index the
 * follower now shares with the leader; on a failed consistency check it is
 * the follower's last index, a hint from which the leader retries.
 */
export const AppendResult = Schema.TaggedStruct("AppendResult", {
  term: Term,
  success: Schema.Boolean,
  matchIndex: Index
})

export const RaftMessage = Schema.Union([RequestVote, Vote, AppendEntries, AppendResult])
export type RaftMessage = typeof RaftMessage.Type

/** Raft serves the replicated key-value store's requests and responses as they are. */
export const RaftRequest = KvRequest
export type RaftRequest = KvRequest
export const RaftResponse = KvResponse
export type RaftResponse = KvResponse

/**
 * Timers. `election`: a follower or candidate heard from no leader for an
 * election timeout; `heartbeat`: a leader's periodic AppendEntries;
 * `check-quorum`: a leader with CheckQuorum verifies it heard from a majority
 * since the last check.
 */
export const RaftTimer = Schema.Literals(["election", "heartbeat", "check-quorum"])
export type RaftTimer = typeof RaftTimer.Type

/** What survives a crash (Raft paper, Figure 2: "persistent state on all servers"). */
export const RaftDurable = Schema.Struct({
  term: Term,
  votedFor: Schema.NullOr(NodeId),
  /** The log in chunks (see log.ts): every chunk full but the last. */
  log: Schema.Array(Schema.Array(Entry)).check(
    Schema.makeFilter((chunks) => isLogShape(chunks) || `a log's chunks hold ${LogChunk} entries each, but the last, which holds 1 to ${LogChunk}`)
  )
})
export type RaftDurable = typeof RaftDurable.Type
