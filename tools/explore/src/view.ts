import { TraceFormat } from "@parley/core"
import type { Model, Property, TraceFile, TraceStep, TransitionProperty } from "@parley/core"
import { traceView } from "@parley/web"
import type { TraceView } from "@parley/web"
import { diffLanes } from "@parley/trace"
import type { LaneChange as TraceLaneChange } from "@parley/trace"
import type { Built } from "./catalog.ts"
import type { Location } from "./location.ts"
import type { ActionView, LaneChange, PropertyView, StateView } from "./views.ts"
import { actionName } from "./walk.ts"
import type { Walk } from "./walk.ts"

type Lanes = Readonly<Record<string, unknown>>

/** Lanes as a trace file holds them: plain JSON, so that they compare with a file's and travel as they are. */
export const jsonLanes = <S>(model: Model<S, unknown>, state: S): Lanes => JSON.parse(JSON.stringify(model.lanes(state))) as Lanes

const laneChange = (change: TraceLaneChange): LaneChange => {
  switch (change._tag) {
    case "Field":
      return { lane: change.lane, kind: "field", field: change.field, ...sides(change.before, change.after) }
    case "Whole":
      return { lane: change.lane, kind: "whole", ...sides(change.before, change.after) }
    case "Down":
      return { lane: change.lane, kind: "down", after: change.durable }
    case "Up":
      return { lane: change.lane, kind: "up", after: change.state }
  }
}

const sides = (before: unknown, after: unknown) => ({
  ...(before === undefined ? {} : { before }),
  ...(after === undefined ? {} : { after })
})

/** Every action enabled in `state`, with what it would change; an action that changes nothing is listed as idle. */
const actionViews = <S, A>(model: Model<S, A>, state: S, lanes: Lanes): ReadonlyArray<ActionView> => {
  const order = Object.keys(lanes)
  return model.actions(state).map((action, index) => {
    const next = model.next(state, action)
    const base = { index, name: actionName(model, state, action), event: model.describe(state, action) }
    if (next === undefined) return { ...base, idle: true, outside: false, changes: [] }
    const changes = diffLanes(lanes, jsonLanes(model, next), order).map(laneChange)
    return { ...base, idle: false, outside: model.within?.(next) === false, changes }
  })
}

/** The first index in `states` where `test` holds, if any. */
const firstWhere = <S>(states: ReadonlyArray<S>, test: (state: S) => boolean): number | undefined => {
  const at = states.findIndex(test)
  return at === -1 ? undefined : at
}

const stateProperty = <S>(property: Property<S>, states: ReadonlyArray<S>): PropertyView => {
  const here = states[states.length - 1]!
  const base = { name: property.name, kind: property.kind, holds: property.holds(here) }
  switch (property.kind) {
    case "always": {
      const firstBroken = firstWhere(states, (s) => !property.holds(s))
      return firstBroken === undefined ? base : { ...base, firstBroken }
    }
    case "sometimes": {
      const firstHeld = firstWhere(states, (s) => property.holds(s))
      return firstHeld === undefined ? base : { ...base, firstHeld }
    }
    case "eventually":
      return base
    case "leadsTo":
      return { ...base, premise: property.premise?.(here) ?? true }
  }
}

/** A property of steps: whether the last step keeps it, and the first step of the path that broke it (1: the first step). */
const stepProperty = <S>(property: TransitionProperty<S>, states: ReadonlyArray<S>): PropertyView => {
  const steps = states.slice(1).map((after, i) => property.holds(states[i]!, after))
  const broken = steps.indexOf(false)
  return { name: property.name, kind: "step", holds: steps[steps.length - 1] ?? true, ...(broken === -1 ? {} : { firstBroken: broken + 1 }) }
}

/** The path walked as trace steps: each action's name and event, and the lanes after it. */
const traceSteps = <S, A>(model: Model<S, A>, walked: Walk<S, A>): ReadonlyArray<TraceStep> =>
  walked.actions.map((action, i) => {
    const before = walked.states[i]!
    return { action: actionName(model, before, action), event: model.describe(before, action), lanes: jsonLanes(model, walked.states[i + 1]!) }
  })

/** The path as the trace viewer draws a trace: no property is broken on it, so no verdict. */
const pathView = (built: Built, walked: Walk<unknown, unknown>): TraceView => {
  const { model, definition, config } = built
  const trace: TraceFile = {
    format: TraceFormat,
    spec: definition.name,
    config,
    property: { name: "path", kind: "always" },
    initial: jsonLanes(model, walked.states[0]!),
    steps: traceSteps(model, walked)
  }
  return { ...traceView(trace), title: `${definition.name}: the path so far`, verdict: null }
}

/** The explorer's view of the state a walked location reaches. */
export const stateView = (built: Built, location: Location, walked: Walk<unknown, unknown>): StateView => {
  const { model, config } = built
  const { states } = walked
  const here = states[states.length - 1]!
  const actions = actionViews(model, here, jsonLanes(model, here))
  return {
    location,
    config,
    trace: pathView(built, walked),
    actions,
    properties: [
      ...model.properties.map((property) => stateProperty(property, states)),
      ...(model.transitions ?? []).map((property) => stepProperty(property, states))
    ],
    within: model.within?.(here) ?? true,
    terminal: actions.every((action) => action.idle) && (model.terminal?.(here) ?? false)
  }
}
