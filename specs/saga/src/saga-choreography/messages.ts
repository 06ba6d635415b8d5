/**
 * What crosses a boundary in the choreographed saga, each as an effect
 * Schema: the events services publish to each other and their
 * acknowledgements, the timers, and each node's durable record. Types are
 * derived from the Schemas.
 *
 * There is no orchestrator: the order service places the order, each
 * service reacts to its predecessor's `Done` by running its step, and a
 * refusal sends `Failed` back up the chain, where each service compensates
 * and passes `Compensated` on to its own predecessor, until it reaches the
 * order service.
 */
import { Schema } from "effect"
import { LedgerEntry } from "../ledger.ts"
import { Policy, SagaId } from "../policy.ts"
import { Origin } from "../requests.ts"

export const EventKind = Schema.Literals(["Placed", "Done", "Failed", "Compensated"])
export type EventKind = typeof EventKind.Type

/**
 * An event about saga `saga`'s step `step`: `Placed` (step 0, the order
 * service's), `Done` (Tstep took effect), `Failed` (Tstep was refused),
 * `Compensated` (Cstep took effect). `id` is its idempotency key, the same
 * on every resend.
 */
export const SagaEvent = Schema.Struct({
  id: Schema.String,
  saga: SagaId,
  kind: EventKind,
  step: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
})
export type SagaEvent = typeof SagaEvent.Type

/** A published event, at least once: it is resent until its receiver acknowledges it. */
export const EventMessage = Schema.TaggedStruct("Event", { event: SagaEvent })
/** The receiver has recorded event `id` (durably, before this is sent), whether it was new or a duplicate. */
export const AckMessage = Schema.TaggedStruct("Ack", { id: Schema.String })

export const ChoreographyMessage = Schema.Union([EventMessage, AckMessage])
export type ChoreographyMessage = typeof ChoreographyMessage.Type

/** Resend the unacknowledged event `id` from the outbox. */
export const ResendTimer = Schema.TaggedStruct("Resend", { id: Schema.String })
/** A service's local choice on its step, as data: the first of `ok` and `refused` to fire is its answer. */
export const ChoiceTimer = Schema.TaggedStruct("Decide", { saga: SagaId, step: Schema.Int, result: Schema.Literals(["ok", "refused"]) })

export const ChoreographyTimer = Schema.Union([ResendTimer, ChoiceTimer])
export type ChoreographyTimer = typeof ChoreographyTimer.Type

/** An event in the outbox, kept until acknowledged (the transactional outbox: written with the state change it reports). */
export const Published = Schema.Struct({ to: Schema.String, event: SagaEvent })
export type Published = typeof Published.Type

/** A service keeps its ledger, the ids of the events it handled (its inbox), its outbox, the sagas whose step's decision is pending, and its policy. */
export const ChoreographyServiceDurable = Schema.TaggedStruct("Service", {
  ledger: Schema.Array(LedgerEntry),
  inbox: Schema.Array(Schema.String),
  outbox: Schema.Array(Published),
  deciding: Schema.Array(SagaId),
  policy: Policy
})
export type ChoreographyServiceDurable = typeof ChoreographyServiceDurable.Type

/** A saga the order service placed, its outcome once it has one, and the request that placed it (none for the model's). */
export const OrderRecord = Schema.Struct({
  saga: SagaId,
  outcome: Schema.NullOr(Schema.Literals(["completed", "compensated"])),
  origin: Origin
})
export type OrderRecord = typeof OrderRecord.Type

/** The order service keeps its sagas with their outcomes, its inbox and its outbox. */
export const OrderDurable = Schema.TaggedStruct("Order", {
  sagas: Schema.Array(OrderRecord),
  inbox: Schema.Array(Schema.String),
  outbox: Schema.Array(Published)
})
export type OrderDurable = typeof OrderDurable.Type

export const ChoreographyDurable = Schema.Union([ChoreographyServiceDurable, OrderDurable])
export type ChoreographyDurable = typeof ChoreographyDurable.Type

export const ORDER = "order"
