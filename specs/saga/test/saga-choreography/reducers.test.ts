import { describe, expect, it } from "vitest"
import { sagaEvent } from "../../src/saga-choreography/chain.ts"
import { formatChoreographyMessage, formatChoreographyTimer } from "../../src/saga-choreography/format.ts"
import type { ChoreographyMessage, ChoreographyTimer, SagaEvent } from "../../src/saga-choreography/messages.ts"
import { orderDurable, orderInit, orderOnMessage, orderOnRequest, orderOnTimer, orderRecover } from "../../src/saga-choreography/order.ts"
import {
  choreographyServiceDurable,
  choreographyServiceOnMessage,
  choreographyServiceOnTimer,
  choreographyServiceRecover,
  initialChoreographyService
} from "../../src/saga-choreography/service.ts"
import type { ChoreographyServiceState, ServiceConfig } from "../../src/saga-choreography/service.ts"
import { sagaSteps } from "../../src/steps.ts"
import { render } from "../render.ts"

const steps = sagaSteps(3)
const chain = { steps, order: "order" }
const fresh = initialChoreographyService(2, "either")
const lines = (out: Parameters<typeof render<ChoreographyMessage, ChoreographyTimer>>[0]) =>
  render(out, formatChoreographyMessage, formatChoreographyTimer)

const payment: ServiceConfig = { ...chain, step: 2, retries: 1, idempotent: true, compensateEarly: false }
const event = (kind: SagaEvent["kind"], step: number, saga = "order-1"): ChoreographyMessage => ({ _tag: "Event", event: sagaEvent(steps, saga, kind, step) })
const decide = (result: "ok" | "refused", saga = "order-1"): ChoreographyTimer => ({ _tag: "Decide", saga, step: 2, result })

const deliver = (config: ServiceConfig, s: ChoreographyServiceState, from: string, m: ChoreographyMessage) =>
  choreographyServiceOnMessage(config, s, from, m)

/** Payment after the reservation's Done came and it chose `result`. */
const decided = (result: "ok" | "refused", config = payment) =>
  choreographyServiceOnTimer(config, deliver(config, fresh, "inventory", event("Done", 1)).state, decide(result))

describe("a service of the choreographed saga", () => {
  it("acknowledges its predecessor's Done, records it, and arms its two choices", () => {
    const next = deliver(payment, fresh, "inventory", event("Done", 1))
    expect(next.state).toMatchObject({ inbox: ["order-1:reserve:done"], deciding: ["order-1"] })
    expect(lines(next.out)).toEqual(["inventory <- Ack order-1:reserve:done", "set Decide order-1 T2 ok", "set Decide order-1 T2 refused"])
  })

  it.each([
    // choice, ledger, outputs
    ["ok", ["do order-1:charge"],
      ["cancel Decide order-1 T2 refused", "shipping <- Done T2 id=order-1:charge:done", "set Resend order-1:charge:done"]],
    ["refused", [],
      ["cancel Decide order-1 T2 ok", "inventory <- Failed T2 id=order-1:charge:failed", "set Resend order-1:charge:failed"]]
  ] as const)("choosing %s: ledger %j, and the event published down or up the chain", (result, ledger, out) => {
    const next = decided(result)
    expect(next.state.ledger.map((e) => `${e.op} ${e.key}`)).toEqual(ledger)
    expect(next.state.deciding).toEqual([])
    expect(next.state.outbox.map((e) => e.to)).toEqual([result === "ok" ? "shipping" : "inventory"])
    expect(lines(next.out)).toEqual(out)
  })

  it("acknowledges a redelivered event again and handles it no second time", () => {
    const s = decided("ok").state
    const again = deliver(payment, s, "inventory", event("Done", 1))
    expect(again.state).toEqual({ ...s, replayed: ["order-1:reserve:done"] })
    expect(lines(again.out)).toEqual(["inventory <- Ack order-1:reserve:done"])
  })

  it("on its successor's Failed, compensates its step and passes Compensated up the chain", () => {
    const next = deliver(payment, decided("ok").state, "shipping", event("Failed", 3))
    expect(next.state.ledger.map((e) => `${e.op} ${e.key}`)).toEqual(["do order-1:charge", "undo order-1:refund"])
    expect(lines(next.out)).toEqual([
      "shipping <- Ack order-1:ship:failed",
      "inventory <- Compensated T2 id=order-1:refund:done",
      "set Resend order-1:refund:done"
    ])
  })

  it("resends an unacknowledged event within its budget, then keeps it unsent; an Ack clears it", () => {
    const s = decided("ok").state
    const resent = choreographyServiceOnTimer(payment, s, { _tag: "Resend", id: "order-1:charge:done" })
    expect(lines(resent.out)).toEqual(["shipping <- Done T2 id=order-1:charge:done", "set Resend order-1:charge:done"])
    expect(choreographyServiceOnTimer(payment, resent.state, { _tag: "Resend", id: "order-1:charge:done" }).out).toEqual([])
    const acked = deliver(payment, resent.state, "shipping", { _tag: "Ack", id: "order-1:charge:done" })
    expect(acked.state.outbox).toEqual([])
    expect(lines(acked.out)).toEqual(["cancel Resend order-1:charge:done"])
  })

  it("compensate-early: with the budget spent on its Done, it compensates its own step though shipping may yet ship", () => {
    const early = { ...payment, compensateEarly: true }
    const s = decided("ok", early).state
    const spent = choreographyServiceOnTimer(early, { ...s, outbox: s.outbox.map((e) => ({ ...e, attempts: 1 })) }, { _tag: "Resend", id: "order-1:charge:done" })
    expect(spent.state.ledger.map((e) => e.op)).toEqual(["do", "undo"])
    expect(spent.state.outbox.map((e) => e.event.id)).toEqual(["order-1:refund:done"])
    expect(lines(spent.out)).toEqual(["inventory <- Compensated T2 id=order-1:refund:done", "set Resend order-1:refund:done"])
  })

  it("no-idempotency: a redelivered Done is handled again, and the charge can be applied twice", () => {
    const buggy = { ...payment, idempotent: false }
    const again = deliver(buggy, decided("ok", buggy).state, "inventory", event("Done", 1))
    expect(again.state.deciding).toEqual(["order-1"])
    expect(choreographyServiceOnTimer(buggy, again.state, decide("ok")).state.ledger).toHaveLength(2)
  })

  it("runs sagas side by side: a Failed of one compensates that saga only", () => {
    const s = decided("ok").state
    const other = deliver(payment, s, "shipping", event("Failed", 3, "order-2"))
    expect(other.state.ledger).toEqual(s.ledger)
  })

  it.each([["accept", ["set Decide order-1 T2 ok"]], ["refuse", ["set Decide order-1 T2 refused"]]] as const)(
    "hosted, its policy %s arms only its choice",
    (policy, out) => {
      const next = deliver(payment, initialChoreographyService(2, policy), "inventory", event("Done", 1))
      expect(lines(next.out).slice(1)).toEqual(out)
    }
  )

  it("restarts from its ledger, inbox and outbox: resends the outbox and re-arms a pending choice", () => {
    const pending = deliver(payment, fresh, "inventory", event("Done", 1)).state
    const back = choreographyServiceRecover(payment, choreographyServiceDurable(pending))
    expect(back.state).toEqual(pending)
    expect(lines(back.out)).toEqual(["set Decide order-1 T2 ok", "set Decide order-1 T2 refused"])
    const published = decided("ok").state
    const republished = choreographyServiceRecover(payment, choreographyServiceDurable(published))
    expect(lines(republished.out)).toEqual(["shipping <- Done T2 id=order-1:charge:done", "set Resend order-1:charge:done"])
  })
})

describe("the order service", () => {
  it("places the order on start-up", () => {
    expect(lines(orderInit(chain, ["order-1"]).out)).toEqual(["inventory <- Placed id=order-1:placed", "set Resend order-1:placed"])
  })

  it.each([
    // from, event, outcome
    ["shipping", event("Done", 3), "completed"],
    ["inventory", event("Failed", 1), "compensated"],
    ["inventory", event("Compensated", 1), "compensated"]
  ] as const)("from %s, %j: %s", (from, m, outcome) => {
    const next = orderOnMessage(chain, orderInit(chain, ["order-1"]).state, from, m)
    expect(next.state.sagas).toEqual([{ saga: "order-1", outcome, origin: null }])
    expect(next.out).toEqual([{ _tag: "Send", to: from, message: { _tag: "Ack", id: m._tag === "Event" ? m.event.id : "" } }])
  })

  it("places an order on a client's request, once per id, and tells each saga's state", () => {
    const empty = orderInit(chain, []).state
    const placed = orderOnRequest(chain, empty, "c", { _tag: "Start", seq: 1, saga: "trip-1" })
    expect(lines(placed.out.filter((o) => o._tag !== "Reply"))).toEqual(["inventory <- Placed id=trip-1:placed", "set Resend trip-1:placed"])
    expect(placed.out.at(-1)).toEqual({ _tag: "Reply", client: "c", response: { _tag: "Started", seq: 1, saga: "trip-1", created: true } })
    expect(orderOnRequest(chain, placed.state, "c", { _tag: "Start", seq: 2, saga: "trip-1" }).state).toBe(placed.state)
    const failed = orderOnMessage(chain, placed.state, "inventory", event("Failed", 1, "trip-1")).state
    expect(orderOnRequest(chain, failed, "c", { _tag: "Show", seq: 3, saga: "trip-1" }).out).toEqual([{
      _tag: "Reply",
      client: "c",
      response: { _tag: "Shown", seq: 3, saga: "trip-1", view: { id: "trip-1", state: "compensated", events: ["trip-1:reserve:failed"] } }
    }])
  })

  it("keeps its first outcome, resends Placed within its budget, and restarts with its outbox", () => {
    const done = orderOnMessage(chain, orderInit(chain, ["order-1"]).state, "shipping", event("Done", 3)).state
    expect(orderOnMessage(chain, done, "inventory", event("Compensated", 1)).state.sagas).toEqual([{ saga: "order-1", outcome: "completed", origin: null }])
    const resent = orderOnTimer(1, done, { _tag: "Resend", id: "order-1:placed" })
    expect(lines(resent.out)).toEqual(["inventory <- Placed id=order-1:placed", "set Resend order-1:placed"])
    expect(orderOnTimer(1, resent.state, { _tag: "Resend", id: "order-1:placed" }).out).toEqual([])
    const back = orderRecover(orderDurable(resent.state))
    expect(back.state).toMatchObject({ sagas: [{ saga: "order-1", outcome: "completed", origin: null }], inbox: ["order-1:ship:done"] })
    expect(lines(back.out)).toEqual(["inventory <- Placed id=order-1:placed", "set Resend order-1:placed"])
  })
})
