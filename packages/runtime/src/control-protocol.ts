/**
 * The control channel of a node in controlled mode (controlled.ts), as
 * Schemas over the hosted spec's own: what the replayer tells a node to do
 * and what the node reports back. Both ends decode with these, so a
 * message, request or durable state that does not fit the spec is refused
 * with the reason, on either side.
 */
import type { AnyHostedSpec } from "@parley/core"
import { Schema } from "effect"

/** A timer as the node keys it: its JSON, the same for the same timer on both sides. */
export const timerKey = (timer: unknown): string => JSON.stringify(timer)

export const controlSchemas = (hosted: AnyHostedSpec) => {
  /** One input to the node's reducer, as the trace's step gives it. */
  const ControlEvent = Schema.Union([
    Schema.TaggedStruct("Message", { from: Schema.String, message: hosted.message }),
    Schema.TaggedStruct("Timer", { key: Schema.String }),
    Schema.TaggedStruct("Request", { client: Schema.String, request: hosted.request })
  ])

  /**
   * What the node did since the last report (its sends and replies, taken
   * from it as they are reported), the timers armed now by key, and its
   * whole state after: the reducer's state as JSON (reducer states are plain
   * data) and its durable part by the spec's Schema.
   */
  const ControlReport = Schema.Struct({
    sent: Schema.Array(Schema.Struct({ to: Schema.String, message: hosted.message })),
    replies: Schema.Array(Schema.Struct({ client: Schema.String, response: hosted.response })),
    armed: Schema.Array(Schema.String),
    state: Schema.Unknown,
    durable: hosted.durable
  })

  return { ControlEvent, ControlReport }
}

type Schemas = ReturnType<typeof controlSchemas>
export type ControlEvent = Schemas["ControlEvent"]["Type"]
export type ControlReport = Schemas["ControlReport"]["Type"]

/** Why the node would not take a step: a timer that is not armed, a step the loop did not finish in time. */
export const ControlRefusal = Schema.Struct({ error: Schema.String })

export const controlPaths = {
  /** GET: the report, with what the node did since the last one (its start or recovery, the first time). */
  report: "/v1/control/report",
  /** POST a ControlEvent: the node takes it, and answers with the report once the step is done. */
  step: "/v1/control/step"
} as const
