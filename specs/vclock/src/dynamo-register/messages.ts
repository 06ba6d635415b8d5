/**
 * What crosses a boundary in the Dynamo-style store, each as an effect
 * Schema. Versions are tracked with dotted version vectors (Preguiça,
 * Baquero et al.): a sibling is a value, the dot of the write that made it
 * (the replica that coordinated it and that replica's counter for the key)
 * and the context the writer had seen. `[n1:2 n2:1]` is a clock: the
 * sibling's dot and its context together, the whole causal past.
 */
import { Schema } from "effect"
import { VClock } from "../vclock.ts"

/** The `counter`-th write `node` coordinated on a key: what identifies a version. */
export const Dot = Schema.Struct({ node: Schema.String, counter: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)) })
export type Dot = typeof Dot.Type

/** One version of a key: a value, the dot of the write that made it, and what that write had seen. */
export const Sibling = Schema.Struct({ value: Schema.String, dot: Dot, context: VClock })
export type Sibling = typeof Sibling.Type

/** A coordinator's whole sibling set of a key after a write, sent to every peer. */
export const Replicate = Schema.TaggedStruct("Replicate", { key: Schema.String, siblings: Schema.Array(Sibling) })
export type Replicate = typeof Replicate.Type

/** What the sender of a `Replicate` learns back: the receiver's siblings of the key now cover `context`. */
export const ReplicateAck = Schema.TaggedStruct("ReplicateAck", { key: Schema.String, context: VClock })
export type ReplicateAck = typeof ReplicateAck.Type

export const RegisterMessage = Schema.Union([Replicate, ReplicateAck])
export type RegisterMessage = typeof RegisterMessage.Type

// The clients' requests; `seq` is the client's number for the request, which its answer repeats.

/** Read every sibling of `key` the replica holds. */
export const Get = Schema.TaggedStruct("Get", { seq: Schema.Int, key: Schema.String })
export type Get = typeof Get.Type

/** Write `value` to `key`, having seen `context`: the new version supersedes exactly what the context covers. */
export const Put = Schema.TaggedStruct("Put", { seq: Schema.Int, key: Schema.String, value: Schema.String, context: VClock })
export type Put = typeof Put.Type

export const RegisterRequest = Schema.Union([Get, Put])
export type RegisterRequest = typeof RegisterRequest.Type

/** The siblings a read found; their clocks merged are the context of the reader's next write. */
export const GetOk = Schema.TaggedStruct("GetOk", { seq: Schema.Int, key: Schema.String, siblings: Schema.Array(Sibling) })
export type GetOk = typeof GetOk.Type

/** The write is stored at its coordinator, with the clock the coordinator gave it: its dot and its context. */
export const PutOk = Schema.TaggedStruct("PutOk", { seq: Schema.Int, key: Schema.String, value: Schema.String, clock: VClock })
export type PutOk = typeof PutOk.Type

export const RegisterResponse = Schema.Union([GetOk, PutOk])
export type RegisterResponse = typeof RegisterResponse.Type

/** With `sync` on, a replica sends again, on this timer, each key's siblings to the peers that have not acknowledged them. */
export const RegisterTimer = Schema.Literal("sync")
export type RegisterTimer = typeof RegisterTimer.Type

const Siblings = Schema.Array(Sibling)

/** Every key's siblings: a persistent map (`@parley/kv`'s buckets). */
export const SiblingStore = Schema.Union([
  Schema.Struct({ entries: Schema.Record(Schema.String, Siblings) }),
  Schema.Struct({ size: Schema.Int, buckets: Schema.Record(Schema.String, Schema.Record(Schema.String, Siblings)) })
])
export type SiblingStore = typeof SiblingStore.Type

/** Each key whose siblings some peers have not acknowledged, and those peers. */
export const UnackedKeys = Schema.Union([
  Schema.Struct({ entries: Schema.Record(Schema.String, Schema.Array(Schema.String)) }),
  Schema.Struct({ size: Schema.Int, buckets: Schema.Record(Schema.String, Schema.Record(Schema.String, Schema.Array(Schema.String))) })
])
export type UnackedKeys = typeof UnackedKeys.Type

/**
 * What a replica keeps across a crash: every key's siblings, from which its
 * counters follow, so it never gives a dot twice; and what its peers have
 * not acknowledged, so it sends it again after a restart.
 */
export const RegisterDurable = Schema.Struct({ store: SiblingStore, unacked: UnackedKeys })
export type RegisterDurable = typeof RegisterDurable.Type
