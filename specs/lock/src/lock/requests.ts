/**
 * What an HTTP client may ask of a hosted lock cluster, and the answers,
 * each as an effect Schema. The lock server (`redis`) takes the lock
 * commands, the resource (`resource`) the writes and reads; a request at
 * the other node is answered `Elsewhere`, naming the node that takes it.
 * Every request and answer carries the host's sequence number of the call.
 * A model's clients make none of these: they are nodes and send messages.
 */
import { Schema } from "effect"
import { Token } from "./messages.ts"

/** A lock's (and its resource entry's) name, and an owner's: what fits in a URL segment and a log line. */
export const LockName = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_.:-]{1,128}$/))
export const Owner = LockName

/** Shortest and longest lease a client may ask for, in milliseconds. */
export const minTtlMs = 100
export const maxTtlMs = 3_600_000
export const TtlMs = Schema.Int.check(Schema.isBetween({ minimum: minTtlMs, maximum: maxTtlMs }))

/** A value written to the resource: text, at most 64 KiB. */
export const maxValueLength = 65_536
export const WriteValue = Schema.String.check(Schema.isMaxLength(maxValueLength))

const seq = Schema.Int

/** A write to the protected resource with a fencing token; `writer` empty: the client's id. */
export const WriteRequest = Schema.TaggedStruct("Write", { seq, name: LockName, writer: Schema.String, token: Token, value: WriteValue })
export const ReadRequest = Schema.TaggedStruct("Read", { seq, name: LockName })
export type ResourceRequest = typeof WriteRequest.Type | typeof ReadRequest.Type

export const LockRequest = Schema.Union([
  /** A lease on `name` for `owner`; the owner asking again while it holds the lease is given the same lease (a retry). */
  Schema.TaggedStruct("Acquire", { seq, name: LockName, owner: Owner, ttlMs: TtlMs }),
  Schema.TaggedStruct("Renew", { seq, name: LockName, token: Token }),
  /** Atomic compare-and-delete on the token. */
  Schema.TaggedStruct("Release", { seq, name: LockName, token: Token }),
  Schema.TaggedStruct("Inspect", { seq, name: LockName }),
  /** `DEL`: whoever holds it; the naive recipe's second half, or an operator breaking a lock. */
  Schema.TaggedStruct("Delete", { seq, name: LockName }),
  WriteRequest,
  ReadRequest
])
export type LockRequest = typeof LockRequest.Type

/** A lease as a client reads it: its time in milliseconds, as the server's clock counts them (at most this long). */
export const LeaseView = Schema.Struct({
  name: LockName,
  holder: Schema.String,
  token: Token,
  ttlMs: Schema.Int,
  expiresInMs: Schema.Int
})
export type LeaseView = typeof LeaseView.Type

export const LockCommandName = Schema.Literals(["acquire", "renew", "release", "inspect", "delete"])
export type LockCommandName = typeof LockCommandName.Type

export const EntryView = Schema.Struct({
  name: LockName,
  newest: Schema.Int,
  value: Schema.String,
  writes: Schema.Array(Schema.Struct({ writer: Schema.String, token: Token, value: Schema.String })),
  rejected: Schema.Int
})
export type EntryView = typeof EntryView.Type

/** The resource's answer; `accepted` is null for a read. */
export const ResourceAnswer = Schema.TaggedStruct("ResourceAnswer", { seq, accepted: Schema.NullOr(Schema.Boolean), entry: EntryView })
export type ResourceAnswer = typeof ResourceAnswer.Type
/** The request belongs to another node: `node`. */
export const Elsewhere = Schema.TaggedStruct("Elsewhere", { seq, node: Schema.String })

export const LockResponse = Schema.Union([
  /**
   * `ok`: granted, renewed, released, or (inspect, delete) the lock was held.
   * `lease`: the lease the lock holds after the command (the one granted or
   * renewed, the holder's when busy), or, for delete, the one deleted.
   */
  Schema.TaggedStruct("LockAnswer", { seq, command: LockCommandName, name: LockName, ok: Schema.Boolean, lease: Schema.NullOr(LeaseView) }),
  ResourceAnswer,
  Elsewhere
])
export type LockResponse = typeof LockResponse.Type
export type LockAnswer = Exclude<LockResponse, { readonly _tag: "Elsewhere" }>
