import { VerdictView } from "@parley/web/view-model"
import { Schema } from "effect"
import { Location } from "./location.ts"

const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

/** "Check from here": the checker run from the state at `location`, with a few of `parley check`'s options. */
export const CheckRequest = Schema.Struct({
  location: Location,
  strategy: Schema.Literals(["bfs", "dfs", "sim"]),
  maxDepth: Schema.optionalKey(Count),
  /** Default `defaultMaxStates`: a check from a page should end, not fill the memory. */
  maxStates: Schema.optionalKey(Count),
  deadlock: Schema.Boolean,
  liveness: Schema.Boolean
})
export type CheckRequest = typeof CheckRequest.Type

export const defaultMaxStates = 1_000_000

export const CheckProgress = Schema.Struct({
  distinctStates: Schema.Int,
  depth: Schema.Int,
  statesPerSec: Schema.Number,
  elapsedMs: Schema.Number
})
export type CheckProgress = typeof CheckProgress.Type

/** How a check ended: its result as `parley check` gives it, and a counterexample as a location the page can open. */
export const CheckOutcome = Schema.Struct({
  result: Schema.Literals(["ok", "violation", "bounded"]),
  distinctStates: Schema.Int,
  maxDepth: Schema.Int,
  property: Schema.optionalKey(Schema.String),
  kind: Schema.optionalKey(Schema.String),
  /** The counterexample: the path from the spec's initial state, through the state checked from, to the violation. */
  counterexample: Schema.optionalKey(Location),
  /** A liveness counterexample's cycle starts at this step of `counterexample`. */
  loopStart: Schema.optionalKey(Schema.Int),
  /** What the counterexample shows, as a trace page says it (a lasso's loop marked): the page shows it at `counterexample`. */
  verdict: Schema.optionalKey(VerdictView),
  /** `sometimes` properties no state the check reached satisfied. */
  unreached: Schema.Array(Schema.String)
})
export type CheckOutcome = typeof CheckOutcome.Type

export const CheckStatus = Schema.Struct({
  id: Schema.String,
  request: CheckRequest,
  status: Schema.Literals(["running", "done", "cancelled", "failed"]),
  progress: CheckProgress,
  outcome: Schema.optionalKey(CheckOutcome),
  /** Why a failed check failed: the spec threw, or the options do not go together. */
  error: Schema.optionalKey(Schema.String)
})
export type CheckStatus = typeof CheckStatus.Type
