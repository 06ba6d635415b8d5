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
import type { VClock } from "../vclock.ts"
import { bucketsFlat } from "@parley/kv"
import type { RegisterClientState, WriteRecord } from "./client.ts"
import type { RegisterDurable, RegisterMessage, RegisterRequest, RegisterResponse, RegisterTimer, Sibling } from "./messages.ts"
import type { ReplicaState } from "./replica.ts"
import { clockOf } from "./siblings.ts"

export type RegisterSystem = SystemSpec<ReplicaState, RegisterMessage, RegisterTimer, RegisterRequest, RegisterResponse, RegisterDurable, RegisterClientState, never>
export type RegisterSystemState = SystemStateOf<RegisterSystem>

const replicasOf = (s: RegisterSystemState): ReadonlyArray<ReplicaState> => s.nodes.flatMap((slot) => (slot.up ? [slot.state] : []))

/** Each live replica's sibling set of each key: the model's clients write one key, so there is one set a replica. */
const siblingSets = (s: RegisterSystemState): ReadonlyArray<ReadonlyArray<Sibling>> => replicasOf(s).flatMap((r) => Object.values(bucketsFlat(r.store)))

const writesOf = (s: RegisterSystemState): ReadonlyArray<WriteRecord> => s.clients.flatMap((c) => c.state.writes)

const acknowledged = (s: RegisterSystemState): ReadonlyArray<WriteRecord & { readonly clock: VClock }> =>
  writesOf(s).flatMap((w) => (w.clock === null ? [] : [{ ...w, clock: w.clock }]))

/** Every acknowledged write is a sibling on some replica, or some write's context included it. */
export const noLostWrite = always<RegisterSystemState>("NoLostWrite", (s) => {
  const sets = siblingSets(s)
  const writes = writesOf(s)
  return acknowledged(s).every((w) =>
    sets.some((siblings) => siblings.some((sib) => sib.value === w.value && compare(clockOf(sib), w.clock) === "equal")) ||
    writes.some((later) => later !== w && dominatedBy(w.clock, later.context))
  )
})

/** No replica keeps a version beside a write whose context included that version. */
export const supersededDropped = always<RegisterSystemState>("SupersededDropped", (s) => {
  const contexts = new Map(writesOf(s).map((w) => [w.value, w.context]))
  return siblingSets(s).every((siblings) =>
    siblings.every((sib) =>
      siblings.every((other) => {
        const context = contexts.get(other.value)
        return other === sib || context === undefined || !dominatedBy(clockOf(sib), context)
      })
    )
  )
})

/** Concurrent writes stand side by side on some replica. */
export const siblingsExist = sometimes<RegisterSystemState>("SiblingsExist", (s) => siblingSets(s).some((siblings) => siblings.length >= 2))

/** A replica holds a single version that supersedes two concurrent acknowledged writes: a later write resolved them. */
export const siblingsResolved = sometimes<RegisterSystemState>("SiblingsResolved", (s) => {
  const acked = acknowledged(s)
  return siblingSets(s).some((siblings) => {
    const only = siblings.length === 1 ? clockOf(siblings[0]!) : undefined
    return only !== undefined && acked.some((a) =>
      compare(a.clock, only) === "before" && acked.some((b) => compare(a.clock, b.clock) === "concurrent" && compare(b.clock, only) === "before")
    )
  })
})

export const registerProperties: ReadonlyArray<Property<RegisterSystemState>> = [noLostWrite, supersededDropped, siblingsExist, siblingsResolved]
