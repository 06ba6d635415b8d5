import { Schema } from "effect"

/**
 * What one step of a behaviour did, as data a renderer can draw: an arrow for
 * a delivered message, a mark for a timer, crash or restart. `sent` lists the
 * messages the step put on the network, so a reader sees where each arrow
 * began.
 */
export const SentMessage = Schema.Struct({
  to: Schema.String,
  message: Schema.String
})
export type SentMessage = typeof SentMessage.Type

const sent = Schema.optionalKey(Schema.Array(SentMessage))

export const StepEvent = Schema.Union([
  Schema.TaggedStruct("Deliver", { from: Schema.String, to: Schema.String, message: Schema.String, sent }),
  Schema.TaggedStruct("Drop", { from: Schema.String, to: Schema.String, message: Schema.String }),
  Schema.TaggedStruct("Timer", { node: Schema.String, timer: Schema.String, sent }),
  Schema.TaggedStruct("Crash", { node: Schema.String }),
  Schema.TaggedStruct("Restart", { node: Schema.String, sent }),
  Schema.TaggedStruct("Local", { node: Schema.String, label: Schema.String, sent })
])
export type StepEvent = typeof StepEvent.Type

export const ConfigValue = Schema.Union([Schema.String, Schema.Number, Schema.Boolean])
export type ConfigValue = typeof ConfigValue.Type

export const SpecConfig = Schema.Record(Schema.String, ConfigValue)
export type SpecConfig = typeof SpecConfig.Type

const Lanes = Schema.Record(Schema.String, Schema.Unknown)

export const TraceStep = Schema.Struct({
  /** The action as the spec names it, e.g. `TMRcvPrepared(rm2)`. */
  action: Schema.String,
  event: StepEvent,
  /** Every lane's state after the step. */
  lanes: Lanes
})
export type TraceStep = typeof TraceStep.Type

export const TraceFormat = "parley-trace/1"

/**
 * A counterexample: the spec and configuration it came from, the property it
 * breaks, and every step from an initial state. A liveness violation is a
 * lasso: `loopStart` is the index of the first step of the cycle that repeats
 * forever after `steps`, or `steps.length` when the last state is one the
 * system may stay in forever, no fair action being enabled.
 */
export const TraceFile = Schema.Struct({
  format: Schema.Literal(TraceFormat),
  spec: Schema.String,
  config: SpecConfig,
  property: Schema.Struct({
    name: Schema.String,
    kind: Schema.Literals(["always", "sometimes", "deadlock", "eventually", "leadsTo"])
  }),
  initial: Lanes,
  steps: Schema.Array(TraceStep),
  loopStart: Schema.optionalKey(Schema.Int)
})
export type TraceFile = typeof TraceFile.Type
