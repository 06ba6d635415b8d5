/**
 * What crosses a boundary in the Dynamo-style register, each as an effect
 * Schema: a sibling (a value and the vector clock of the write that made
 * it), the replication message a coordinator sends its peers, the clients'
 * requests and the replicas' responses. Clocks count writes per client:
 * `[c1:2 c2:1]` is the second write of `c1`, made having seen `c2`'s first.
 */
import { Schema } from "effect"
import { VClock } from "../vclock.ts"

/** One version of the register: a value and the clock of the write that made it. */
export const Sibling = Schema.Struct({ value: Schema.String, clock: VClock })
export type Sibling = typeof Sibling.Type

/** A coordinator's whole sibling set after a write, sent to every peer. */
export const Replicate = Schema.TaggedStruct("Replicate", { siblings: Schema.Array(Sibling) })
export type Replicate = typeof Replicate.Type

export const RegisterMessage = Replicate
export type RegisterMessage = Replicate

/** Read every sibling the replica holds. */
export const Get = Schema.TaggedStruct("Get", {})
export type Get = typeof Get.Type

/** Write `value`, having seen `context`: the new version supersedes exactly what the context covers. */
export const Put = Schema.TaggedStruct("Put", { value: Schema.String, context: VClock })
export type Put = typeof Put.Type

export const RegisterRequest = Schema.Union([Get, Put])
export type RegisterRequest = typeof RegisterRequest.Type

/** The siblings a read found; their clocks merged are the context of the reader's next write. */
export const GetOk = Schema.TaggedStruct("GetOk", { siblings: Schema.Array(Sibling) })
export type GetOk = typeof GetOk.Type

/** The write is stored at its coordinator, with the clock the coordinator gave it. */
export const PutOk = Schema.TaggedStruct("PutOk", { value: Schema.String, clock: VClock })
export type PutOk = typeof PutOk.Type

export const RegisterResponse = Schema.Union([GetOk, PutOk])
export type RegisterResponse = typeof RegisterResponse.Type

/** Replicas set no timers: replication is one message per peer per write, and the network delivers it or not. */
export const RegisterTimer = Schema.Never
export type RegisterTimer = typeof RegisterTimer.Type

/** No replica is made to crash in this model: the sibling set lives in memory. */
export const RegisterDurable = Schema.Null
export type RegisterDurable = typeof RegisterDurable.Type
