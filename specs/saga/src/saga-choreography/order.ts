/**
 * The order service, at both ends of the chain: it places the order
 * (publishes `Placed` to the first service) and records the saga's outcome
 * from the event that comes back, `Done` of the last step (completed) or
 * `Failed` or `Compensated` of the first (compensated). It takes part in no
 * step, and it decides nothing: the services do.
 */
import { send, step } from "@parley/core"
import type { NodeId, Step } from "@parley/core"
import type { Outcome } from "../properties.ts"
import type { SagaStep } from "../steps.ts"
import { sagaEvent, successor } from "./chain.ts"
import type { ChoreographyMessage, ChoreographyResponse, ChoreographyTimer, OrderDurable, SagaEvent } from "./messages.ts"
import { acknowledge, durableOutbox, emit, republish, resend, withId } from "./outbox.ts"
import type { Outbox } from "./outbox.ts"

export interface OrderState {
  readonly role: "order"
  readonly outcome: Outcome | null
  readonly inbox: ReadonlyArray<string>
  readonly outbox: Outbox
  readonly replayed: ReadonlyArray<string>
}

type OrderStep = Step<OrderState, ChoreographyMessage, ChoreographyTimer, ChoreographyResponse>

export const orderInit = (steps: ReadonlyArray<SagaStep>): OrderStep => {
  const placed = emit([], successor(steps, 0), sagaEvent(steps, "Placed", 0))
  return step({ role: "order", outcome: null, inbox: [], outbox: placed.outbox, replayed: [] }, placed.out)
}

const outcomeOf = (steps: ReadonlyArray<SagaStep>, event: SagaEvent): Outcome | null => {
  if (event.kind === "Done" && event.step === steps.length) return "completed"
  if ((event.kind === "Failed" || event.kind === "Compensated") && event.step === 1) return "compensated"
  return null
}

export const orderOnMessage = (steps: ReadonlyArray<SagaStep>, s: OrderState, from: NodeId, message: ChoreographyMessage): OrderStep => {
  if (message._tag === "Ack") {
    const acked = acknowledge(s.outbox, message.id)
    return step({ ...s, outbox: acked.outbox }, acked.out)
  }
  const { event } = message
  const ack = [send<ChoreographyMessage>(from, { _tag: "Ack", id: event.id })]
  if (s.inbox.includes(event.id)) return step({ ...s, replayed: withId(s.replayed, event.id) }, ack)
  return step({ ...s, inbox: withId(s.inbox, event.id), outcome: s.outcome ?? outcomeOf(steps, event) }, ack)
}

export const orderOnTimer = (retries: number, s: OrderState, timer: ChoreographyTimer): OrderStep => {
  if (timer._tag !== "Resend") return step(s)
  const outcome = resend(s.outbox, timer.id, retries)
  return outcome._tag === "Resent" ? step({ ...s, outbox: outcome.outbox }, outcome.out) : step(s)
}

export const orderDurable = (s: OrderState): OrderDurable => ({ _tag: "Order", outcome: s.outcome, inbox: s.inbox, outbox: durableOutbox(s.outbox) })

export const orderRecover = (d: OrderDurable): OrderStep => {
  const again = republish(d.outbox)
  return step({ role: "order", outcome: d.outcome, inbox: d.inbox, outbox: again.outbox, replayed: [] }, again.out)
}
