/**
 * What the Dynamo-style register promises, judged against the clients'
 * records of their writes (each write's context, and its clock once
 * acknowledged). No acknowledged write is silently lost: it is still a
 * sibling on some replica, or a later write was made with a context that
 * included it. A write supersedes what its context covered: no replica
 * keeps a version beside a write whose context included it.
 */
import { always, sometimes } from "@parley/core"
import type { Property, SystemSpec, SystemStateOf } from "@parley/core"
import { compare, dominatedBy } from "../vclock.ts"
import type { RegisterClientState, WriteRecord } from "./client.ts"
import type { RegisterDurable, RegisterMessage, RegisterRequest, RegisterResponse, RegisterTimer, Sibling } from "./messages.ts"
import type { ReplicaState } from "./replica.ts"

export type RegisterSystem = SystemSpec<ReplicaState, RegisterMessage, RegisterTimer, RegisterRequest, RegisterResponse, RegisterDurable, RegisterClientState, never>
export type RegisterSystemState = SystemStateOf<RegisterSystem>

const replicasOf = (s: RegisterSystemState): ReadonlyArray<ReplicaState> => s.nodes.flatMap((slot) => (slot.up ? [slot.state] : []))

const writesOf = (s: RegisterSystemState): ReadonlyArray<WriteRecord> => s.clients.flatMap((c) => c.state.writes)

const acknowledged = (s: RegisterSystemState): ReadonlyArray<WriteRecord & { readonly clock: Sibling["clock"] }> =>
  writesOf(s).flatMap((w) => (w.clock === null ? [] : [{ ...w, clock: w.clock }]))

/** Every acknowledged write is a sibling on some replica, or some write's context included it. */
export const noLostWrite = always<RegisterSystemState>("NoLostWrite", (s) => {
  const replicas = replicasOf(s)
  const writes = writesOf(s)
  return acknowledged(s).every((w) =>
    replicas.some((r) => r.siblings.some((sib) => sib.value === w.value && compare(sib.clock, w.clock) === "equal")) ||
    writes.some((later) => later !== w && dominatedBy(w.clock, later.context))
  )
})

/** No replica keeps a version beside a write whose context included that version. */
export const supersededDropped = always<RegisterSystemState>("SupersededDropped", (s) => {
  const contexts = new Map(writesOf(s).map((w) => [w.value, w.context]))
  return replicasOf(s).every((r) =>
    r.siblings.every((sib) =>
      r.siblings.every((other) => {
        const context = contexts.get(other.value)
        return other === sib || context === undefined || !dominatedBy(sib.clock, context)
      })
    )
  )
})

/** Concurrent writes stand side by side on some replica. */
export const siblingsExist = sometimes<RegisterSystemState>("SiblingsExist", (s) => replicasOf(s).some((r) => r.siblings.length >= 2))

/** A replica holds a single version that supersedes two concurrent acknowledged writes: a later write resolved them. */
export const siblingsResolved = sometimes<RegisterSystemState>("SiblingsResolved", (s) => {
  const acked = acknowledged(s)
  return replicasOf(s).some((r) => {
    const only = r.siblings.length === 1 ? r.siblings[0]!.clock : undefined
    return only !== undefined && acked.some((a) =>
      compare(a.clock, only) === "before" && acked.some((b) => compare(a.clock, b.clock) === "concurrent" && compare(b.clock, only) === "before")
    )
  })
})

export const registerProperties: ReadonlyArray<Property<RegisterSystemState>> = [noLostWrite, supersededDropped, siblingsExist, siblingsResolved]
