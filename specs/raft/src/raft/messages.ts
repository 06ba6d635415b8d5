/**
 * What crosses a boundary in Raft, each as an effect Schema so the runtime can
 * decode a frame, a client request or a stored record and reject what does
 * not fit: node-to-node messages, the client API, timers and the durable
 * state. Types are derived from the Schemas, never written twice.
 */
import { bucketsSchema, emptyBuckets, KvInput, KvRequest, KvResponse, KvSessionSchema } from "@parley/kv"
import { Effect, Schema } from "effect"
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

/**
 * A log entry. `command` is null for the empty entry a new leader appends to
 * commit its predecessors' entries, and for a configuration entry, which
 * names every member of the cluster from its index on (membership.ts).
 */
export const Entry = Schema.Struct({ term: Term, command: Schema.NullOr(Command), members: Schema.optionalKey(Schema.Array(NodeId)) })
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
  lastLogTerm: Term,
  /** A campaign the leader asked for (TimeoutNow): voters that heard from that leader vote anyway, as etcd's campaignTransfer. */
  transfer: Schema.optionalKey(Schema.Literal(true))
})

export const Vote = Schema.TaggedStruct("Vote", { term: Term, pre: Schema.Boolean, granted: Schema.Boolean })

/**
 * `read`: while a round of heartbeats that confirms reads is unanswered, the
 * round's number, which the follower echoes (reads.ts; etcd's heartbeat
 * context). Absent otherwise.
 */
export const AppendEntries = Schema.TaggedStruct("AppendEntries", {
  term: Term,
  prevLogIndex: Index,
  prevLogTerm: Term,
  entries: Schema.Array(Entry),
  leaderCommit: Index,
  read: Schema.optionalKey(Index)
})

/**
 * The answer to AppendEntries. On success `matchIndex` is the last index the
 * follower now shares with the leader; on a failed consistency check it is
 * the follower's last index, a hint from which the leader retries. `read`
 * echoes the AppendEntries' round of heartbeats, when it had one.
 */
export const AppendResult = Schema.TaggedStruct("AppendResult", {
  term: Term,
  success: Schema.Boolean,
  matchIndex: Index,
  read: Schema.optionalKey(Index)
})

/**
 * The applied state machine at `index`, the entry of `term` (Raft §7): the
 * store and the client sessions with every entry up to `index` applied. A
 * node keeps it in place of the entries it compacted.
 */
export const Snapshot = Schema.Struct({
  index: Index,
  term: Term,
  store: bucketsSchema(Schema.String),
  sessions: bucketsSchema(KvSessionSchema),
  /** The configuration at `index` (membership.ts); absent: the cluster's first. */
  members: Schema.optionalKey(Schema.Array(NodeId))
})
export type Snapshot = typeof Snapshot.Type

/**
 * One chunk of the leader's snapshot through `lastIncludedIndex` (Figure 13),
 * for a follower whose next entry the leader no longer keeps. A snapshot is
 * cut into `total` parts, one per bucket of its store and of its sessions
 * (a small map is one part); this chunk carries `parts` of them from part
 * `offset` on, as partial maps. A snapshot that fits one chunk goes whole.
 */
export const InstallSnapshot = Schema.TaggedStruct("InstallSnapshot", {
  term: Term,
  lastIncludedIndex: Index,
  lastIncludedTerm: Term,
  offset: Index,
  parts: Index,
  total: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  store: bucketsSchema(Schema.String),
  sessions: bucketsSchema(KvSessionSchema),
  /** The snapshot's configuration, on every chunk; absent: the cluster's first. */
  members: Schema.optionalKey(Schema.Array(NodeId))
})

/**
 * A follower holds the first `received` parts of the snapshot through
 * `lastIncludedIndex` and asks for the next chunk (0: start again). The
 * last chunk is answered by an AppendResult that matches the snapshot.
 */
export const SnapshotResult = Schema.TaggedStruct("SnapshotResult", { term: Term, lastIncludedIndex: Index, received: Index })

/** Leadership transfer (thesis §3.10, etcd's MsgTimeoutNow): the leader tells a caught-up follower to campaign at once. */
export const TimeoutNow = Schema.TaggedStruct("TimeoutNow", { term: Term })

export const RaftMessage = Schema.Union([RequestVote, Vote, AppendEntries, AppendResult, InstallSnapshot, SnapshotResult, TimeoutNow])
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
 * since the last check; `add-member`, `remove-member`: the model's
 * environment asks a leader for the membership change its configuration
 * plans (reconfigure.ts); `transfer-leadership`: it asks a leader to hand
 * leadership to the next member (transfer.ts); `lease`: with lease reads,
 * a leader's lease, armed when it sends a round of heartbeats, ends
 * (reads.ts).
 */
export const RaftTimer = Schema.Literals(["election", "heartbeat", "check-quorum", "add-member", "remove-member", "transfer-leadership", "lease"])
export type RaftTimer = typeof RaftTimer.Type

/** No entry applied: the snapshot every node starts from. */
export const emptySnapshot: Snapshot = Object.freeze({ index: 0, term: 0, store: emptyBuckets, sessions: emptyBuckets })

/**
 * What survives a crash (Raft paper, Figure 2: "persistent state on all
 * servers", and §7): the term, the vote, the latest snapshot and the log
 * after it. A store saved before snapshots existed has none: the empty one.
 */
export const RaftDurable = Schema.Struct({
  term: Term,
  votedFor: Schema.NullOr(NodeId),
  snapshot: Snapshot.pipe(Schema.withDecodingDefault(Effect.succeed(emptySnapshot))),
  /** The entries after the snapshot's index, in chunks (see log.ts): every chunk full but the last. */
  log: Schema.Array(Schema.Array(Entry)).check(
    Schema.makeFilter((chunks) => isLogShape(chunks) || `a log's chunks hold ${LogChunk} entries each, but the last, which holds 1 to ${LogChunk}`)
  )
})
export type RaftDurable = typeof RaftDurable.Type
