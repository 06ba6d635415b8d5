/**
 * Who hears which event: the services form a chain behind the order
 * service, `order → T1 → … → Tn → order`. `Done` travels down the chain,
 * `Failed` and `Compensated` travel back up it. An event's id is its
 * idempotency key: `order-1:placed`, `order-1:charge:done`,
 * `order-1:charge:failed`, `order-1:refund:done`.
 */
import type { NodeId } from "@parley/core"
import { stepAt } from "../steps.ts"
import type { SagaStep } from "../steps.ts"
import type { EventKind, SagaEvent } from "./messages.ts"

/** The steps, each on its service's node, and the order service's node at both ends. */
export interface Chain {
  readonly steps: ReadonlyArray<SagaStep>
  readonly order: NodeId
}

/** The node after step `step` (0 is the order service): the next service, or the order service after the last. */
export const successor = (chain: Chain, step: number): NodeId =>
  step < chain.steps.length ? stepAt(chain.steps, step + 1).service : chain.order

/** The node before step `step`: the previous service, or the order service before the first. */
export const predecessor = (chain: Chain, step: number): NodeId =>
  step > 1 ? stepAt(chain.steps, step - 1).service : chain.order

const eventId = (steps: ReadonlyArray<SagaStep>, saga: string, kind: EventKind, step: number): string => {
  if (kind === "Placed") return `${saga}:placed`
  const entry = stepAt(steps, step)
  if (kind === "Compensated") return `${saga}:${entry.compensation}:done`
  return `${saga}:${entry.action}:${kind === "Done" ? "done" : "failed"}`
}

export const sagaEvent = (steps: ReadonlyArray<SagaStep>, saga: string, kind: EventKind, step: number): SagaEvent => ({
  id: eventId(steps, saga, kind, step),
  saga,
  kind,
  step
})
