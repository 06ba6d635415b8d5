/**
 * What both hosted sagas share below their requests: a saga's id, and how a
 * service decides a new request.
 */
import { Schema } from "effect"

/** A saga's id, named by the client that starts it or made up by the node that keeps sagas: letters, digits, `.`, `_` and `-`. */
export const SagaId = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_.-]{1,64}$/))
export type SagaId = typeof SagaId.Type

/**
 * How a service decides a new request: `either` is the model's choice, both
 * outcomes explored; a hosted service accepts, or refuses when it is told to
 * (a flag in the cluster file, an admin request), as a real one would be out
 * of stock.
 */
export const Policy = Schema.Literals(["either", "accept", "refuse"])
export type Policy = typeof Policy.Type

/** The outcomes a policy lets a new request have, each armed as a `Decide` timer. */
export const choices = (policy: Policy): ReadonlyArray<"ok" | "refused"> =>
  policy === "either" ? ["ok", "refused"] : policy === "accept" ? ["ok"] : ["refused"]

/** An id none of `taken` is: `saga-N`, N one past their number, or the first free one above it. */
export const freshSagaId = (taken: ReadonlyArray<string>): string => {
  let n = taken.length + 1
  while (taken.includes(`saga-${n}`)) n++
  return `saga-${n}`
}
