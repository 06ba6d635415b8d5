import { TraceFormat } from "@parley/core"
import type { Model, SpecConfig, StepEvent, TraceFile, TraceStep } from "@parley/core"
import type { Path } from "./types.ts"

/** A path that does not replay: the model is not deterministic, or the path belongs to another model. */
export class ReplayError extends Error {
  override readonly name = "ReplayError"
}

export interface ReplayedStep<S, A> {
  readonly action: A
  readonly state: S
}

/**
 * Rebuilds the states along a path by replaying its action indices from the
 * initial state, as the checker stores no states. The model must be
 * deterministic: the same state must enable the same actions in the same order.
 */
export const replay = <S, A>(
  model: Model<S, A>,
  path: Path
): { readonly initial: S; readonly steps: ReadonlyArray<ReplayedStep<S, A>> } => {
  const initial = model.init()[path.initIndex]
  if (initial === undefined) throw new ReplayError(`the model has no initial state #${path.initIndex}`)
  const steps: Array<ReplayedStep<S, A>> = []
  let state = initial
  for (const [depth, index] of path.actionIndices.entries()) {
    const action = model.actions(state)[index]
    const next = action === undefined ? undefined : model.next(state, action)
    if (action === undefined || next === undefined) {
      throw new ReplayError(`step ${depth + 1}: action #${index} is not enabled on replay; is the model deterministic?`)
    }
    steps.push({ action, state: next })
    state = next
  }
  return { initial, steps }
}

/** The action's name in a trace, from what it does. */
export const eventLabel = (event: StepEvent): string => {
  switch (event._tag) {
    case "Deliver":
      return `${event.to} receives ${event.message} from ${event.from}`
    case "Drop":
      return `network drops ${event.message} ${event.from}→${event.to}`
    case "Timer":
      return `${event.node} timer ${event.timer}`
    case "Crash":
      return `${event.node} crashes`
    case "Restart":
      return `${event.node} restarts`
    case "Local":
      return event.label
  }
}

export interface TraceMeta {
  readonly spec: string
  readonly config: SpecConfig
  readonly property: TraceFile["property"]
  /** For a liveness counterexample: where its cycle starts. */
  readonly loopStart?: number
}

/** A counterexample as a trace file: every step's event and every lane's state after it. */
export const buildTrace = <S, A>(model: Model<S, A>, meta: TraceMeta, path: Path): TraceFile => {
  const { initial, steps } = replay(model, path)
  const traceSteps: Array<TraceStep> = []
  let before = initial
  for (const { action, state } of steps) {
    const event = model.describe(before, action)
    const name = model.actionName?.(before, action) ?? eventLabel(event)
    traceSteps.push({ action: name, event, lanes: model.lanes(state) })
    before = state
  }
  return {
    format: TraceFormat,
    spec: meta.spec,
    config: meta.config,
    property: meta.property,
    initial: model.lanes(initial),
    steps: traceSteps,
    ...(meta.loopStart === undefined ? {} : { loopStart: meta.loopStart })
  }
}
