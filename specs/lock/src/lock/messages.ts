/**
 * What crosses a boundary in the lease-lock specs, each as an effect Schema:
 * the lock server's commands (Redis's `SET key value NX PX ttl`, `GET`,
 * `DEL`, and the atomic compare-and-delete and compare-and-extend that
 * fenced clients run as Lua scripts), the protected resource's write, and
 * the timers. Types are derived from the Schemas.
 *
 * A lease's `token` is the server's grant counter. In the naive recipe it
 * stands for the random value the client stores under the key (unique per
 * grant, and the client writes it as its data); in the fenced recipe it is
 * the fencing token, and the resource compares it.
 */
import { Schema } from "effect"

export const Token = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
export type Token = typeof Token.Type

/** `SET lock <unique> NX PX ttl`. */
export const Acquire = Schema.TaggedStruct("Acquire", {})
/** `GET lock`: the first half of the naive release. */
export const Get = Schema.TaggedStruct("Get", {})
/** `DEL lock`: the second half, whoever holds it by then. */
export const Del = Schema.TaggedStruct("Del", {})
/** Atomic compare-and-delete (a Lua script): deletes the lock only if it still holds `token`. */
export const Release = Schema.TaggedStruct("Release", { token: Token })
/** Atomic compare-and-extend: restarts the lease's ttl only if the lock still holds `token`. */
export const Renew = Schema.TaggedStruct("Renew", { token: Token })

export const Granted = Schema.TaggedStruct("Granted", { token: Token })
export const Busy = Schema.TaggedStruct("Busy", {})
export const Value = Schema.TaggedStruct("Value", { token: Schema.NullOr(Token) })
export const Deleted = Schema.TaggedStruct("Deleted", { existed: Schema.Boolean })
export const Released = Schema.TaggedStruct("Released", { ok: Schema.Boolean })
export const Renewed = Schema.TaggedStruct("Renewed", { ok: Schema.Boolean })

/** A write to the protected resource, carrying the writer's lease token. */
export const Write = Schema.TaggedStruct("Write", { token: Token })
export const WriteResult = Schema.TaggedStruct("WriteResult", { ok: Schema.Boolean })

export const LeaseMessage = Schema.Union([
  Acquire, Get, Del, Release, Renew,
  Granted, Busy, Value, Deleted, Released, Renewed,
  Write, WriteResult
])
export type LeaseMessage = typeof LeaseMessage.Type

/**
 * `tick`: the lock server's clock advances one unit and expires a lease
 * that ran out. `resume`: a client that was paused (a GC pause, a page
 * fault, a descheduled VM) after it was granted the lock carries on and
 * writes. `retry`: a client told Busy asks again. `renew`: a fenced client
 * extends its lease.
 */
export const LeaseTimer = Schema.Literals(["tick", "resume", "retry", "renew"])
export type LeaseTimer = typeof LeaseTimer.Type

/** A lease as it is kept durable: its `expiresAt` is the server's clock of the run that wrote it. */
const DurableLease = Schema.Struct({ name: Schema.String, holder: Schema.String, token: Token, expiresAt: Schema.Int, ttl: Schema.Int })
const DurableWrite = Schema.Struct({ writer: Schema.String, token: Token, value: Schema.String })
const DurableEntry = Schema.Struct({
  name: Schema.String,
  newest: Schema.Int,
  value: Schema.String,
  writes: Schema.Array(DurableWrite),
  rejected: Schema.Int
})

/** The protected resource's entries, in either lock cluster. */
export const ResourceDurable = Schema.Struct({ role: Schema.Literal("resource"), entries: Schema.Array(DurableEntry) })
export type ResourceDurable = typeof ResourceDurable.Type

/**
 * What survives a crash: the lock server's grant counter and its held
 * leases (a restarted server never gives a token twice, nor forgets a lease
 * before it runs out), and the resource's entries (it never takes a token
 * older than one it took before the crash). A model's clients keep nothing.
 */
export const LeaseDurable = Schema.Union([
  Schema.Struct({ role: Schema.Literal("server"), grants: Schema.Int, leases: Schema.Array(DurableLease) }),
  ResourceDurable,
  Schema.Null
])
export type LeaseDurable = typeof LeaseDurable.Type
