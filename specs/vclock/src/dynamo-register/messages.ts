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

export const RegisterMessage = Replicate
export type RegisterMessage = Replicate

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

/** Replicas set no timers: replication is one message per peer per write, and the network delivers it or not. */
export const RegisterTimer = Schema.Never
export type RegisterTimer = typeof RegisterTimer.Type

const Siblings = Schema.Array(Sibling)

/** Every key's siblings: a persistent map (`@parley/kv`'s buckets). */
export const SiblingStore = Schema.Union([
  Schema.Struct({ entries: Schema.Record(Schema.String, Siblings) }),
  Schema.Struct({ size: Schema.Int, buckets: Schema.Record(Schema.String, Schema.Record(Schema.String, Siblings)) })
])
export type SiblingStore = typeof SiblingStore.Type

/** What a replica keeps across a crash: every key's siblings, from which its counters follow, so it never gives a dot twice. */
export const RegisterDurable = Schema.Struct({ store: SiblingStore })
export type RegisterDurable = typeof RegisterDurable.Type
