import { describe, expect, it } from "vitest"
import { formatSagaMessage, formatSagaTimer } from "../../src/saga/format.ts"
import type { SagaMessage, SagaTimer } from "../../src/saga/messages.ts"
import { initialService, serviceDurable, serviceOnMessage, serviceOnTimer, serviceRecover } from "../../src/saga/service.ts"
import type { ServiceState } from "../../src/saga/service.ts"
import { render } from "../render.ts"

const lines = (out: Parameters<typeof render<SagaMessage, SagaTimer>>[0]) => render(out, formatSagaMessage, formatSagaTimer)

const charge: SagaMessage = { _tag: "Do", step: 2, key: "order-1:charge" }
const refund: SagaMessage = { _tag: "Undo", step: 2, key: "order-1:refund" }
const decideOk: SagaTimer = { _tag: "Decide", step: 2, key: "order-1:charge", result: "ok" }
const decideRefused: SagaTimer = { ...decideOk, result: "refused" }

/** The payment service after it received the charge and chose `result`. */
const decided = (result: "ok" | "refused", idempotent = true): ServiceState => {
  const received = serviceOnMessage(idempotent, initialService, charge).state
  return serviceOnTimer(received, result === "ok" ? decideOk : decideRefused).state
}

describe("a service of the orchestrated saga", () => {
  it("arms its two choices on a new request, and drops a copy that comes while it decides", () => {
    const received = serviceOnMessage(true, initialService, charge)
    expect(received.state.pending).toEqual(["order-1:charge"])
    expect(lines(received.out)).toEqual(["set Decide T2 ok", "set Decide T2 refused"])
    expect(serviceOnMessage(true, received.state, charge)).toEqual({ state: received.state, out: [] })
  })

  it.each([
    // choice, ledger, outputs
    ["ok", [{ step: 2, op: "do", key: "order-1:charge" }], ["cancel Decide T2 refused", "orchestrator <- Done T2 ok"]],
    ["refused", [], ["cancel Decide T2 ok", "orchestrator <- Done T2 refused"]]
  ] as const)("choosing %s: ledger %j, the outcome recorded under the key and answered", (result, ledger, out) => {
    const received = serviceOnMessage(true, initialService, charge).state
    const next = serviceOnTimer(received, result === "ok" ? decideOk : decideRefused)
    expect(next.state).toMatchObject({ ledger, answers: [{ key: "order-1:charge", result }], pending: [] })
    expect(lines(next.out)).toEqual(out)
  })

  it("answers a resent request from its idempotency table and applies nothing again", () => {
    const s = decided("ok")
    const again = serviceOnMessage(true, s, charge)
    expect(again.state).toEqual({ ...s, replayed: ["order-1:charge"] })
    expect(lines(again.out)).toEqual(["orchestrator <- Done T2 ok"])
  })

  it("ignores a choice timer whose decision was made", () => {
    const s = decided("refused")
    expect(serviceOnTimer(s, decideOk)).toEqual({ state: s, out: [] })
  })

  it("compensates a step that took effect, once; a compensation of a refused step changes nothing but is acknowledged", () => {
    const undone = serviceOnMessage(true, decided("ok"), refund)
    expect(undone.state.ledger.map((e) => `${e.op} ${e.key}`)).toEqual(["do order-1:charge", "undo order-1:refund"])
    expect(lines(undone.out)).toEqual(["orchestrator <- Undone T2"])
    expect(serviceOnMessage(true, undone.state, refund).state.ledger).toHaveLength(2)
    const nothing = serviceOnMessage(true, decided("refused"), refund)
    expect(nothing.state.ledger).toEqual([])
    expect(lines(nothing.out)).toEqual(["orchestrator <- Undone T2"])
  })

  it("no-idempotency: a resent charge after the first is decided again, so it can be charged twice", () => {
    const s = decided("ok", false)
    const again = serviceOnMessage(false, s, charge)
    expect(lines(again.out)).toEqual(["set Decide T2 ok", "set Decide T2 refused"])
    expect(serviceOnTimer(again.state, decideOk).state.ledger).toHaveLength(2)
  })

  it("keeps its ledger and table across a crash, and forgets a pending decision", () => {
    const pending = serviceOnMessage(true, decided("ok"), { _tag: "Do", step: 2, key: "order-2:charge" }).state
    const back = serviceRecover(serviceDurable(pending))
    expect(back).toEqual({ state: { ...initialService, ledger: pending.ledger, answers: pending.answers }, out: [] })
  })
})
