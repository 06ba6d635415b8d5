/**
 * What crosses a boundary in causal broadcast, each as an effect Schema:
 * the broadcast message (its origin's sequence number and the vector clock
 * it was stamped with) and the timer that makes a node broadcast.
 */
import { Schema } from "effect"
import { VClock } from "../vclock.ts"

/** The `seq`-th message `origin` broadcast, stamped with `clock`. */
export const Broadcast = Schema.TaggedStruct("Broadcast", {
  origin: Schema.String,
  seq: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  clock: VClock
})
export type Broadcast = typeof Broadcast.Type

export const CausalMessage = Broadcast
export type CausalMessage = Broadcast

/** The application broadcasts a message: the checker fires it whenever it likes, within a budget per node. */
export const CausalTimer = Schema.Literal("broadcast")
export type CausalTimer = typeof CausalTimer.Type

/** No node is made to crash: causal broadcast's state (what was delivered, what waits) lives in memory here. */
export const CausalDurable = Schema.Null
export type CausalDurable = typeof CausalDurable.Type
