/**
 * The order service, at both ends of the chain: it places an order
 * (publishes `Placed` to the first service) and records the saga's outcome
 * from the event that comes back, `Done` of the last step (completed) or
 * `Failed` or `Compensated` of the first (compensated). It takes part in no
 * step, and it decides nothing: the services do. The model's order service
 * places its one order at start-up; a hosted one places each on a client's
 * request, answered once the order and its `Placed` are in its durable state.
 */
import { reply, send, step } from "@parley/core"
import type { ClientId, NodeId, Step } from "@parley/core"
import { freshSagaId } from "../policy.ts"
import type { Outcome } from "../properties.ts"
import { originOf } from "../requests.ts"
import type { SagaRequest, SagaState } from "../requests.ts"
import type { SagaStep } from "../steps.ts"
import { sagaEvent, successor } from "./chain.ts"
import type { Chain } from "./chain.ts"
import type { ChoreographyMessage, ChoreographyTimer, OrderDurable, OrderRecord, SagaEvent } from "./messages.ts"
import { acknowledge, durableOutbox, emit, republish, resend, withId } from "./outbox.ts"
import type { Outbox } from "./outbox.ts"
import type { ChoreographyResponse } from "./responses.ts"

export interface OrderState {
  readonly role: "order"
  /** In the order they were placed. */
  readonly sagas: ReadonlyArray<OrderRecord>
  readonly inbox: ReadonlyArray<string>
  readonly outbox: Outbox
  readonly replayed: ReadonlyArray<string>
}

type OrderStep = Step<OrderState, ChoreographyMessage, ChoreographyTimer, ChoreographyResponse>

/** Places saga `saga` if it is new: recorded, with its `Placed` in the outbox and sent. */
const place = (chain: Chain, s: OrderState, saga: string, origin: string | null): OrderStep => {
  if (s.sagas.some((record) => record.saga === saga)) return step(s)
  const placed = emit(s.outbox, successor(chain, 0), sagaEvent(chain.steps, saga, "Placed", 0))
  return step({ ...s, sagas: [...s.sagas, { saga, outcome: null, origin }], outbox: placed.outbox }, placed.out)
}

export const orderInit = (chain: Chain, initialSagas: ReadonlyArray<string>): OrderStep =>
  initialSagas.reduce<OrderStep>((acc, saga) => {
    const placed = place(chain, acc.state, saga, null)
    return step(placed.state, [...acc.out, ...placed.out])
  }, step({ role: "order", sagas: [], inbox: [], outbox: [], replayed: [] }))

const outcomeOf = (steps: ReadonlyArray<SagaStep>, event: SagaEvent): Outcome | null => {
  if (event.kind === "Done" && event.step === steps.length) return "completed"
  if ((event.kind === "Failed" || event.kind === "Compensated") && event.step === 1) return "compensated"
  return null
}

const recordOutcome = (sagas: ReadonlyArray<OrderRecord>, saga: string, outcome: Outcome | null): ReadonlyArray<OrderRecord> =>
  outcome === null ? sagas : sagas.map((record) => (record.saga === saga && record.outcome === null ? { ...record, outcome } : record))

export const orderOnMessage = (chain: Chain, s: OrderState, from: NodeId, message: ChoreographyMessage): OrderStep => {
  if (message._tag === "Ack") {
    const acked = acknowledge(s.outbox, message.id)
    return step({ ...s, outbox: acked.outbox }, acked.out)
  }
  const { event } = message
  const ack = [send<ChoreographyMessage>(from, { _tag: "Ack", id: event.id })]
  if (s.inbox.includes(event.id)) return step({ ...s, replayed: withId(s.replayed, event.id) }, ack)
  return step({ ...s, inbox: withId(s.inbox, event.id), sagas: recordOutcome(s.sagas, event.saga, outcomeOf(chain.steps, event)) }, ack)
}

export const orderOnTimer = (retries: number, s: OrderState, timer: ChoreographyTimer): OrderStep => {
  if (timer._tag !== "Resend") return step(s)
  const outcome = resend(s.outbox, timer.id, retries)
  return outcome._tag === "Resent" ? step({ ...s, outbox: outcome.outbox }, outcome.out) : step(s)
}

/** A placed saga's state: running until its outcome came back. */
const stateOf = (record: OrderRecord): SagaState => record.outcome ?? "running"

/** A client's request: place an order (start a saga), show one, or list them; a step's request belongs to a service. */
export const orderOnRequest = (chain: Chain, s: OrderState, client: ClientId, request: SagaRequest): OrderStep => {
  const answer = (response: ChoreographyResponse) => reply(client, response)
  switch (request._tag) {
    case "Start": {
      const saga = request.saga ?? freshSagaId(s.sagas.map((record) => record.saga))
      const origin = originOf(client, request.seq)
      const placed = place(chain, s, saga, origin)
      const created = (placed.state.sagas.find((record) => record.saga === saga)?.origin ?? null) === origin
      return step(placed.state, [...placed.out, answer({ _tag: "Started", seq: request.seq, saga, created })])
    }
    case "Show": {
      const record = s.sagas.find((r) => r.saga === request.saga)
      const events = s.inbox.filter((id) => id.startsWith(`${request.saga}:`))
      const view = record === undefined ? null : { id: record.saga, state: stateOf(record), events }
      return step(s, [answer({ _tag: "Shown", seq: request.seq, saga: request.saga, view })])
    }
    case "List":
      return step(s, [answer({ _tag: "Listed", seq: request.seq, sagas: s.sagas.map((r) => ({ id: r.saga, state: stateOf(r) })) })])
    case "Ledger":
    case "SetPolicy":
      return step(s, [answer({
        _tag: "Elsewhere",
        seq: request.seq,
        node: null,
        reason: `the order service runs no step; ask a service: ${chain.steps.map((entry) => entry.service).join(", ")}`
      })])
  }
}

export const orderDurable = (s: OrderState): OrderDurable => ({ _tag: "Order", sagas: s.sagas, inbox: s.inbox, outbox: durableOutbox(s.outbox) })

export const orderRecover = (d: OrderDurable): OrderStep => {
  const again = republish(d.outbox)
  return step({ role: "order", sagas: d.sagas, inbox: d.inbox, outbox: again.outbox, replayed: [] }, again.out)
}
