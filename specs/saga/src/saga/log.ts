/**
 * Reading the saga log: what the orchestrator does next follows from the log
 * alone, which is why the log is all it needs to keep across a crash.
 *
 * - No failure logged: run the first step not yet done, or the saga is
 *   completed once every step is.
 * - A step refused (or, in `compensate-early`, given up on): compensate the
 *   done steps, the latest first, one at a time, each once its successor's
 *   compensation was acknowledged; the saga is compensated once none is left.
 */
import type { Outcome } from "../properties.ts"
import type { LogEntry } from "./messages.ts"

export type NextOperation =
  | { readonly _tag: "Do"; readonly step: number }
  | { readonly _tag: "Undo"; readonly step: number }
  | { readonly _tag: "Completed" }
  | { readonly _tag: "Compensated" }

export const doneSteps = (log: ReadonlyArray<LogEntry>): ReadonlyArray<number> =>
  log.flatMap((entry) => (entry._tag === "Done" ? [entry.step] : []))

/** The step that failed (refused, or given up on), or undefined while none has. */
export const failedStep = (log: ReadonlyArray<LogEntry>): number | undefined =>
  log.find((entry) => entry._tag === "Refused" || entry._tag === "GaveUp")?.step

export const nextOperation = (steps: number, log: ReadonlyArray<LogEntry>): NextOperation => {
  const done = doneSteps(log)
  if (failedStep(log) === undefined) return done.length < steps ? { _tag: "Do", step: done.length + 1 } : { _tag: "Completed" }
  const compensated = new Set(log.flatMap((entry) => (entry._tag === "Compensated" ? [entry.step] : [])))
  const pending = done.filter((step) => !compensated.has(step))
  const latest = pending.at(-1)
  return latest === undefined ? { _tag: "Compensated" } : { _tag: "Undo", step: latest }
}

/** The saga's outcome once the log says it ended, or undefined while it runs. */
export const outcomeOf = (steps: number, log: ReadonlyArray<LogEntry>): Outcome | undefined => {
  const next = nextOperation(steps, log)
  if (next._tag === "Completed") return "completed"
  if (next._tag === "Compensated") return "compensated"
  return undefined
}

/** A log entry as `Done T1`, `Refused T2`, `Compensated T1`. */
export const formatLogEntry = (entry: LogEntry): string => `${entry._tag} T${entry.step}`
