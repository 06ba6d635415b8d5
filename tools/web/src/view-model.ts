import { StepEvent } from "@parley/core"
import { Schema } from "effect"

/**
 * What a page draws, computed once on the Node side from a trace (or, in an
 * explorer, from a path walked so far), so the browser does no diffing and
 * needs no Schema: it imports these types only.
 */

/** A path into the lanes: the lane, then object keys and array indices, as text. */
export const StatePath = Schema.Array(Schema.String)
export type StatePath = typeof StatePath.Type

/**
 * One changed part of a state: a value replaced or a key gone (`before` holds
 * the old value), a key or array element that is new (no `before`), or an
 * array that grew or shrank (`removed` lists the elements that left).
 */
export const ChangeView = Schema.Struct({
  path: StatePath,
  before: Schema.optionalKey(Schema.Unknown),
  removed: Schema.optionalKey(Schema.Array(Schema.Unknown))
})
export type ChangeView = typeof ChangeView.Type

/** One message of the behaviour, from its send to its delivery or loss, if either happens. */
export const MessageView = Schema.Struct({
  from: Schema.String,
  to: Schema.String,
  message: Schema.String,
  /** The position after which it was in flight: 0 for the initial network, else the step that sent it. */
  sentAt: Schema.Int,
  /** The step that delivered or lost it, or null while it is still in flight at the end. */
  endedAt: Schema.NullOr(Schema.Int),
  lost: Schema.Boolean
})
export type MessageView = typeof MessageView.Type

export const StepView = Schema.Struct({
  action: Schema.String,
  event: StepEvent,
  /** Every lane's state after the step. */
  lanes: Schema.Record(Schema.String, Schema.Unknown),
  /** The innermost parts of the lanes that differ from the position before. */
  changed: Schema.Array(ChangeView),
  /** The message this step delivered or lost, by index into `messages`. */
  consumed: Schema.NullOr(Schema.Int),
  /** The messages this step sent, by index into `messages`. */
  sent: Schema.Array(Schema.Int),
  /** The lanes the event draws on. */
  participants: Schema.Array(Schema.String)
})
export type StepView = typeof StepView.Type

/** The property a trace is about and where the behaviour breaks it. */
export const VerdictView = Schema.Struct({
  name: Schema.String,
  kind: Schema.Literals(["always", "sometimes", "deadlock", "eventually", "leadsTo"]),
  /** One sentence: what the trace shows about the property. */
  claim: Schema.String,
  /** The closing line, as `parley trace show` ends. */
  verdict: Schema.String,
  /** The position (0 = the initial state) where the property is seen broken (or, for sometimes, reached). */
  brokenAt: Schema.Int,
  /** A lasso's loop: the first and last step that repeat forever; null for a finite counterexample. */
  loop: Schema.NullOr(Schema.Struct({ first: Schema.Int, last: Schema.Int }))
})
export type VerdictView = typeof VerdictView.Type

export const TraceView = Schema.Struct({
  title: Schema.String,
  /** The configuration, one `key=value` each. */
  config: Schema.Array(Schema.String),
  /** The columns, in order: every node and client. */
  lanes: Schema.Array(Schema.String),
  initial: Schema.Record(Schema.String, Schema.Unknown),
  steps: Schema.Array(StepView),
  messages: Schema.Array(MessageView),
  /** Null in an explorer's path, where no property is broken. */
  verdict: Schema.NullOr(VerdictView)
})
export type TraceView = typeof TraceView.Type
