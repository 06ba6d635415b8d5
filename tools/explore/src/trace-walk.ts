import { equals } from "@parley/core"
import type { Model, TraceFile } from "@parley/core"
import { traceView } from "@parley/web"
import type { ModelCache } from "./catalog.ts"
import type { Location } from "./location.ts"
import { jsonLanes } from "./view.ts"
import type { TraceWalk } from "./views.ts"
import { actionName } from "./walk.ts"

/** A trace's configuration as the options the URL carries: text, as on the command line. */
const optionsOf = (trace: TraceFile): Record<string, string> =>
  Object.fromEntries(Object.entries(trace.config).map(([name, value]) => [name, String(value)]))

/** The index of the action enabled in `state` that the trace's step took: its name and the lanes after it agree. */
const matchStep = <S, A>(model: Model<S, A>, state: S, step: TraceFile["steps"][number]): { readonly index: number; readonly next: S } | undefined => {
  const actions = model.actions(state)
  for (let index = 0; index < actions.length; index++) {
    const action = actions[index]!
    const next = model.next(state, action)
    if (next !== undefined && actionName(model, state, action) === step.action && equals(jsonLanes(model, next), step.lanes)) return { index, next }
  }
  return undefined
}

/**
 * A trace file laid over the spec it names, as a location: each step is the
 * enabled action whose name and resulting lanes are the step's. A trace
 * written by another version of the spec may stop fitting; the location is
 * then the last step that fits, and `problem` says why the next does not.
 */
export const walkTrace = (models: ModelCache, trace: TraceFile): TraceWalk | string => {
  const start: Location = { spec: trace.spec, options: optionsOf(trace), init: 0, path: [] }
  const built = models.modelAt(start)
  if (typeof built === "string") return `the trace is of ${trace.spec} ${JSON.stringify(trace.config)}, which the explorer cannot build: ${built}`
  const { model } = built
  const init = model.init().findIndex((state) => equals(jsonLanes(model, state), trace.initial))
  if (init === -1) return `the trace's initial state is none of ${trace.spec}'s: was it written by another version of the spec?`
  let state = model.init()[init]
  const path: Array<number> = []
  for (const [i, step] of trace.steps.entries()) {
    const matched = matchStep(model, state, step)
    if (matched === undefined) {
      const problem = `step ${i + 1} (${step.action}) is not an action of ${trace.spec} ${i === 0 ? "in the initial state" : `after step ${i}`} that leads to the trace's state; the trace is shown up to step ${i}`
      return { location: { ...start, init, path }, steps: trace.steps.length, matched: i, problem }
    }
    path.push(matched.index)
    state = matched.next
  }
  const verdict = traceView(trace).verdict
  return { location: { ...start, init, path }, steps: trace.steps.length, matched: trace.steps.length, ...(verdict === null ? {} : { verdict }) }
}
