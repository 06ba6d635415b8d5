/**
 * What crosses a boundary in the orchestrated saga, each as an effect Schema
 * so the runtime can decode a frame or a stored record and reject what does
 * not fit: the messages between the orchestrator and the services, the
 * timers, the saga log and each service's durable record. Types are derived
 * from the Schemas.
 */
import { Schema } from "effect"
import { LedgerEntry, StepNumber } from "../ledger.ts"

export const StepResult = Schema.Literals(["ok", "refused"])
export type StepResult = typeof StepResult.Type

/** orchestrator → service: run step `step`'s action; `key` is its idempotency key, the same on every resend. */
export const DoMessage = Schema.TaggedStruct("Do", { step: StepNumber, key: Schema.String })
/** orchestrator → service: run step `step`'s compensation, under its own key. */
export const UndoMessage = Schema.TaggedStruct("Undo", { step: StepNumber, key: Schema.String })
/** service → orchestrator: the action's outcome; a resent Do gets the outcome recorded the first time. */
export const DoneMessage = Schema.TaggedStruct("Done", { step: StepNumber, key: Schema.String, result: StepResult })
/** service → orchestrator: the compensation took effect (compensations do not fail; they are retried until they are acknowledged). */
export const UndoneMessage = Schema.TaggedStruct("Undone", { step: StepNumber, key: Schema.String })

export const SagaMessage = Schema.Union([DoMessage, UndoMessage, DoneMessage, UndoneMessage])
export type SagaMessage = typeof SagaMessage.Type

/** The orchestrator's resend timer for the operation with key `key`: it fires if no answer came back in time. */
export const RetryTimer = Schema.TaggedStruct("Retry", { key: Schema.String })
/**
 * A service's local choice, as data: on a new Do it sets `Decide(ok)` and
 * `Decide(refused)` (out of stock, card declined); the first to fire is its
 * answer and cancels the other. The checker explores both.
 */
export const DecideTimer = Schema.TaggedStruct("Decide", { step: StepNumber, key: Schema.String, result: StepResult })

export const SagaTimer = Schema.Union([RetryTimer, DecideTimer])
export type SagaTimer = typeof SagaTimer.Type

/** The saga runs from the orchestrator's start-up; it has no client API. */
export const SagaRequest = Schema.Never
export type SagaRequest = typeof SagaRequest.Type
export const SagaResponse = Schema.Never
export type SagaResponse = typeof SagaResponse.Type

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

/** The orchestrator's durable state is its saga log: from it a restarted orchestrator knows what to send next. */
export const OrchestratorDurable = Schema.TaggedStruct("Orchestrator", { log: Schema.Array(LogEntry) })
export type OrchestratorDurable = typeof OrchestratorDurable.Type

/** A recorded answer: the idempotency table maps a key to the outcome first given for it. */
export const Answer = Schema.Struct({ key: Schema.String, result: StepResult })
export type Answer = typeof Answer.Type

/** A service keeps its ledger and its idempotency table; a decision still pending is lost in a crash and asked again by a resend. */
export const ServiceDurable = Schema.TaggedStruct("Service", { ledger: Schema.Array(LedgerEntry), answers: Schema.Array(Answer) })
export type ServiceDurable = typeof ServiceDurable.Type

export const SagaDurable = Schema.Union([OrchestratorDurable, ServiceDurable])
export type SagaDurable = typeof SagaDurable.Type

export const ORCHESTRATOR = "orchestrator"
