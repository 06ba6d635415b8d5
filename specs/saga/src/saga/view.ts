/**
 * A saga as a client reads it: each step's state, read from the
 * orchestrator's log alone, by the same reading that decides what it sends
 * next.
 */
import { Schema } from "effect"
import type { SagaStep } from "../steps.ts"
import { formatLogEntry, nextOperation, outcomeOf } from "./log.ts"
import type { LogEntry } from "./messages.ts"
import { SagaState } from "../requests.ts"

export const StepState = Schema.Literals(["pending", "running", "done", "refused", "compensating", "compensated", "not run"])
export type StepState = typeof StepState.Type


export const StepView = Schema.Struct({
  step: Schema.Int,
  service: Schema.String,
  action: Schema.String,
  compensation: Schema.String,
  state: StepState
})
export type StepView = typeof StepView.Type

/** What `GET /v1/sagas/{id}` answers. */
export const SagaReport = Schema.Struct({
  id: Schema.String,
  state: SagaState,
  steps: Schema.Array(StepView),
  log: Schema.Array(Schema.String)
})
export type SagaReport = typeof SagaReport.Type

export const sagaState = (steps: number, log: ReadonlyArray<LogEntry>): SagaState => {
  const outcome = outcomeOf(steps, log)
  if (outcome !== undefined) return outcome
  return nextOperation(steps, log)._tag === "Undo" ? "compensating" : "running"
}

const stepState = (log: ReadonlyArray<LogEntry>, steps: number, step: number): StepState => {
  const logged = (tag: LogEntry["_tag"]) => log.some((entry) => entry._tag === tag && entry.step === step)
  if (logged("Compensated")) return "compensated"
  if (logged("Refused") || logged("GaveUp")) return "refused"
  const next = nextOperation(steps, log)
  const current = "step" in next && next.step === step
  if (logged("Done")) return current ? "compensating" : "done"
  if (current) return "running"
  return sagaState(steps, log) === "running" ? "pending" : "not run"
}

export const sagaReport = (steps: ReadonlyArray<SagaStep>, id: string, log: ReadonlyArray<LogEntry>): SagaReport => ({
  id,
  state: sagaState(steps.length, log),
  steps: steps.map((entry) => ({ ...entry, state: stepState(log, steps.length, entry.step) })),
  log: log.map(formatLogEntry)
})
