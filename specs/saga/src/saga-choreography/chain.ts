/**
 * Who hears which event: the services form a chain behind the order
 * service, `order → T1 → … → Tn → order`. `Done` travels down the chain,
 * `Failed` and `Compensated` travel back up it. An event's id is its
 * idempotency key: `order-1:placed`, `order-1:charge:done`,
 * `order-1:charge:failed`, `order-1:refund:done`.
 */
import type { NodeId } from "@parley/core"
import { SAGA_ID, stepAt } from "../steps.ts"
import type { SagaStep } from "../steps.ts"
import { ORDER } from "./messages.ts"
import type { EventKind, SagaEvent } from "./messages.ts"

/** The node after step `step` (0 is the order service): the next service, or the order service after the last. */
export const successor = (steps: ReadonlyArray<SagaStep>, step: number): NodeId =>
  step < steps.length ? stepAt(steps, step + 1).service : ORDER

/** The node before step `step`: the previous service, or the order service before the first. */
export const predecessor = (steps: ReadonlyArray<SagaStep>, step: number): NodeId =>
  step > 1 ? stepAt(steps, step - 1).service : ORDER

const eventId = (steps: ReadonlyArray<SagaStep>, kind: EventKind, step: number): string => {
  if (kind === "Placed") return `${SAGA_ID}:placed`
  const entry = stepAt(steps, step)
  if (kind === "Compensated") return `${SAGA_ID}:${entry.compensation}:done`
  return `${SAGA_ID}:${entry.action}:${kind === "Done" ? "done" : "failed"}`
}

export const sagaEvent = (steps: ReadonlyArray<SagaStep>, kind: EventKind, step: number): SagaEvent => ({
  id: eventId(steps, kind, step),
  kind,
  step
})
