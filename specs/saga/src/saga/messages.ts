/**
 * What crosses a boundary in the orchestrated saga, each as an effect Schema
 * so the runtime can decode a frame or a stored record and reject what does
 * not fit: the messages between the orchestrator and the services, the
 * timers, the saga log and each service's durable record. Types are derived
 * from the Schemas.
 */
import { Schema } from "effect"
import { LedgerEntry, StepNumber } from "../ledger.ts"
import { Policy, SagaId } from "../policy.ts"
import { Origin } from "../requests.ts"

export const StepResult = Schema.Literals(["ok", "refused"])
export type StepResult = typeof StepResult.Type

const operation = { saga: SagaId, step: StepNumber, key: Schema.String }

/** orchestrator → service: run saga `saga`'s step `step`'s action; `key` is its idempotency key, the same on every resend. */
export const DoMessage = Schema.TaggedStruct("Do", operation)
/** orchestrator → service: run step `step`'s compensation, under its own key. */
export const UndoMessage = Schema.TaggedStruct("Undo", operation)
/** service → orchestrator: the action's outcome; a resent Do gets the outcome recorded the first time. */
export const DoneMessage = Schema.TaggedStruct("Done", { ...operation, result: StepResult })
/** service → orchestrator: the compensation took effect (compensations do not fail; they are retried until they are acknowledged). */
export const UndoneMessage = Schema.TaggedStruct("Undone", operation)

export const SagaMessage = Schema.Union([DoMessage, UndoMessage, DoneMessage, UndoneMessage])
export type SagaMessage = typeof SagaMessage.Type

/** The orchestrator's resend timer for the operation with key `key`: it fires if no answer came back in time. */
export const RetryTimer = Schema.TaggedStruct("Retry", { saga: SagaId, key: Schema.String })
/**
 * A service's local choice, as data: on a new Do it sets `Decide(ok)` and
 * `Decide(refused)` (out of stock, card declined); the first to fire is its
 * answer and cancels the other. The checker explores both.
 */
export const DecideTimer = Schema.TaggedStruct("Decide", { ...operation, result: StepResult })

export const SagaTimer = Schema.Union([RetryTimer, DecideTimer])
export type SagaTimer = typeof SagaTimer.Type

/**
 * The saga log, append-only: each step's outcome as it came back, and each
 * compensation as it was acknowledged. `GaveUp` is written only by the
 * `compensate-early` variant, which takes a step with no answer as failed.
 */
export const LogEntry = Schema.Union([
  Schema.TaggedStruct("Done", { step: StepNumber }),
  Schema.TaggedStruct("Refused", { step: StepNumber }),
  Schema.TaggedStruct("GaveUp", { step: StepNumber }),
  Schema.TaggedStruct("Compensated", { step: StepNumber })
])
export type LogEntry = typeof LogEntry.Type

/** One saga as the orchestrator keeps it: its id, its log, and the request that started it (none for the model's). */
export const SagaRecord = Schema.Struct({ saga: SagaId, log: Schema.Array(LogEntry), origin: Origin })
export type SagaRecord = typeof SagaRecord.Type

/** The orchestrator's durable state is its sagas' logs, in the order they started: from them a restarted orchestrator knows what to send next. */
export const OrchestratorDurable = Schema.TaggedStruct("Orchestrator", { sagas: Schema.Array(SagaRecord) })
export type OrchestratorDurable = typeof OrchestratorDurable.Type

/** A recorded answer: the idempotency table maps a key to the outcome first given for it. */
export const Answer = Schema.Struct({ key: Schema.String, result: StepResult })
export type Answer = typeof Answer.Type

/** A service keeps its ledger, its idempotency table and its policy; a decision still pending is lost in a crash and asked again by a resend. */
export const ServiceDurable = Schema.TaggedStruct("Service", {
  ledger: Schema.Array(LedgerEntry),
  answers: Schema.Array(Answer),
  policy: Policy
})
export type ServiceDurable = typeof ServiceDurable.Type

export const SagaDurable = Schema.Union([OrchestratorDurable, ServiceDurable])
export type SagaDurable = typeof SagaDurable.Type

export const ORCHESTRATOR = "orchestrator"
