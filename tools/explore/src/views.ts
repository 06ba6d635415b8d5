import { SpecConfig, StepEvent } from "@parley/core"
import { TraceView, VerdictView } from "@parley/web/view-model"
import { Schema } from "effect"
import { Location } from "./location.ts"

/**
 * What one step changes in one lane: a field of an object state, the whole
 * state, or the node going down (keeping its durable state) or coming up.
 * A side that is absent means the field or lane was absent there.
 */
export const LaneChange = Schema.Struct({
  lane: Schema.String,
  kind: Schema.Literals(["field", "whole", "down", "up"]),
  field: Schema.optionalKey(Schema.String),
  before: Schema.optionalKey(Schema.Unknown),
  after: Schema.optionalKey(Schema.Unknown)
})
export type LaneChange = typeof LaneChange.Type

/** One action enabled in the current state, with what taking it would change. */
export const ActionView = Schema.Struct({
  /** Its index among the enabled actions: what the path records. */
  index: Schema.Int,
  /** As traces name it (`TMRcvPrepared(rm2)`, `n2 receives Vote from n1`). */
  name: Schema.String,
  event: StepEvent,
  /** Taking it changes nothing; the checker takes no such step. */
  idle: Schema.Boolean,
  /** Its successor is outside the spec's boundary, where the checker neither checks nor explores. */
  outside: Schema.Boolean,
  changes: Schema.Array(LaneChange)
})
export type ActionView = typeof ActionView.Type

/**
 * A property read on the current state and the path to it. `holds` is its
 * predicate here (a `leadsTo`'s goal; for a `step` property, the last step);
 * `firstBroken` the first step of the path where an `always` or `step`
 * property failed, `firstHeld` where a `sometimes` held (0: the initial state).
 */
export const PropertyView = Schema.Struct({
  name: Schema.String,
  kind: Schema.Literals(["always", "sometimes", "eventually", "leadsTo", "step"]),
  holds: Schema.Boolean,
  /** `leadsTo` only: whether its premise holds here. */
  premise: Schema.optionalKey(Schema.Boolean),
  firstBroken: Schema.optionalKey(Schema.Int),
  firstHeld: Schema.optionalKey(Schema.Int)
})
export type PropertyView = typeof PropertyView.Type

/** The explorer at one location: the path as the trace viewer draws a trace, the actions the state enables, the properties. */
export const StateView = Schema.Struct({
  location: Location,
  config: SpecConfig,
  /** The path so far, with no verdict; the current state's lanes are its last step's, or its initial ones. */
  trace: TraceView,
  actions: Schema.Array(ActionView),
  properties: Schema.Array(PropertyView),
  /** Whether the state is within the spec's boundary (the checker neither checks nor explores beyond it). */
  within: Schema.Boolean,
  /** No action is enabled and the spec calls this state an expected end. */
  terminal: Schema.Boolean
})
export type StateView = typeof StateView.Type

/** A spec as the page offers it: its options and variants, as `parley list` shows them. */
export const SpecSummary = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  options: Schema.Array(Schema.Struct({
    name: Schema.String,
    description: Schema.String,
    kind: Schema.Literals(["int", "choice", "flag"]),
    default: Schema.Union([Schema.String, Schema.Number, Schema.Boolean]),
    allowed: Schema.String
  })),
  variants: Schema.Array(Schema.Struct({ name: Schema.String, description: Schema.String }))
})
export type SpecSummary = typeof SpecSummary.Type

export const Catalog = Schema.Struct({
  /** Where the page starts when its URL names no location: what the command line asked for. */
  start: Location,
  specs: Schema.Array(SpecSummary)
})
export type Catalog = typeof Catalog.Type

/** A trace file laid over the spec: the location of its last step, or of the last step that still fits and why the next does not. */
export const TraceWalk = Schema.Struct({
  location: Location,
  steps: Schema.Int,
  matched: Schema.Int,
  problem: Schema.optionalKey(Schema.String),
  /** The property the trace breaks and where (a lasso's loop too), when every step fits: the page shows it at `location`. */
  verdict: Schema.optionalKey(VerdictView)
})
export type TraceWalk = typeof TraceWalk.Type
