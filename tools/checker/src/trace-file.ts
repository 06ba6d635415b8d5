import { TraceFormat } from "@parley/core"
import type { Model, SpecConfig, StepEvent, TraceFile, TraceStep } from "@parley/core"
import { replay } from "./replay.ts"
import type { Path } from "./types.ts"

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
