import { describe, expect, it } from "vitest"
import { formatSagaMessage, formatSagaTimer } from "../../src/saga/format.ts"
import type { Policy } from "../../src/policy.ts"
import type { SagaMessage, SagaTimer } from "../../src/saga/messages.ts"
import { initialService, serviceDurable, serviceOnMessage, serviceOnRequest, serviceOnTimer, serviceRecover } from "../../src/saga/service.ts"
import type { SagaServiceConfig, ServiceState } from "../../src/saga/service.ts"
import { render } from "../render.ts"

const lines = (out: Parameters<typeof render<SagaMessage, SagaTimer>>[0]) => render(out, formatSagaMessage, formatSagaTimer)

const config: SagaServiceConfig = { orchestrator: "orchestrator", idempotent: true }
const forgetful: SagaServiceConfig = { ...config, idempotent: false }
const charge: SagaMessage = { _tag: "Do", saga: "order-1", step: 2, key: "order-1:charge" }
const refund: SagaMessage = { _tag: "Undo", saga: "order-1", step: 2, key: "order-1:refund" }
const decideOk: SagaTimer = { _tag: "Decide", saga: "order-1", step: 2, key: "order-1:charge", result: "ok" }
const decideRefused: SagaTimer = { ...decideOk, result: "refused" }
const model = initialService("either")

/** The payment service after it received the charge and chose `result`. */
const decided = (result: "ok" | "refused", with_ = config): ServiceState => {
  const received = serviceOnMessage(with_, model, charge).state
  return serviceOnTimer(with_, received, result === "ok" ? decideOk : decideRefused).state
}

describe("a service of the orchestrated saga", () => {
  it("arms its two choices on a new request, and drops a copy that comes while it decides", () => {
    const received = serviceOnMessage(config, model, charge)
    expect(received.state.pending).toEqual(["order-1:charge"])
    expect(lines(received.out)).toEqual(["set Decide T2 ok", "set Decide T2 refused"])
    expect(serviceOnMessage(config, received.state, charge)).toEqual({ state: received.state, out: [] })
  })

  it.each([
    ["either", ["set Decide T2 ok", "set Decide T2 refused"]],
    ["accept", ["set Decide T2 ok"]],
    ["refuse", ["set Decide T2 refused"]]
  ] as const)("hosted, its policy %s arms only the choices it allows: %j", (policy: Policy, out) => {
    expect(lines(serviceOnMessage(config, initialService(policy), charge).out)).toEqual(out)
  })

  it.each([
    // choice, ledger, outputs
    ["ok", [{ saga: "order-1", step: 2, op: "do", key: "order-1:charge" }], ["cancel Decide T2 refused", "orchestrator <- Done T2 ok"]],
    ["refused", [], ["cancel Decide T2 ok", "orchestrator <- Done T2 refused"]]
  ] as const)("choosing %s: ledger %j, the outcome recorded under the key and answered", (result, ledger, out) => {
    const received = serviceOnMessage(config, model, charge).state
    const next = serviceOnTimer(config, received, result === "ok" ? decideOk : decideRefused)
    expect(next.state).toMatchObject({ ledger, answers: [{ key: "order-1:charge", result }], pending: [] })
    expect(lines(next.out)).toEqual(out)
  })

  it("answers a resent request from its idempotency table and applies nothing again", () => {
    const s = decided("ok")
    const again = serviceOnMessage(config, s, charge)
    expect(again.state).toEqual({ ...s, replayed: ["order-1:charge"] })
    expect(lines(again.out)).toEqual(["orchestrator <- Done T2 ok"])
  })

  it("ignores a choice timer whose decision was made", () => {
    const s = decided("refused")
    expect(serviceOnTimer(config, s, decideOk)).toEqual({ state: s, out: [] })
  })

  it("compensates a step that took effect, once; a compensation of a refused step changes nothing but is acknowledged", () => {
    const undone = serviceOnMessage(config, decided("ok"), refund)
    expect(undone.state.ledger.map((e) => `${e.op} ${e.key}`)).toEqual(["do order-1:charge", "undo order-1:refund"])
    expect(lines(undone.out)).toEqual(["orchestrator <- Undone T2"])
    expect(serviceOnMessage(config, undone.state, refund).state.ledger).toHaveLength(2)
    const nothing = serviceOnMessage(config, decided("refused"), refund)
    expect(nothing.state.ledger).toEqual([])
    expect(lines(nothing.out)).toEqual(["orchestrator <- Undone T2"])
  })

  it("compensates only the saga it is told to: another saga's charge stands", () => {
    const s = decided("ok")
    const other = serviceOnMessage(config, s, { _tag: "Undo", saga: "order-2", step: 2, key: "order-2:refund" })
    expect(other.state.ledger).toEqual(s.ledger)
  })

  it("no-idempotency: a resent charge after the first is decided again, so it can be charged twice", () => {
    const s = decided("ok", forgetful)
    const again = serviceOnMessage(forgetful, s, charge)
    expect(lines(again.out)).toEqual(["set Decide T2 ok", "set Decide T2 refused"])
    expect(serviceOnTimer(forgetful, again.state, decideOk).state.ledger).toHaveLength(2)
  })

  it("keeps its ledger, table and policy across a crash, and forgets a pending decision", () => {
    const pending = serviceOnMessage(config, decided("ok"), { _tag: "Do", saga: "order-2", step: 2, key: "order-2:charge" }).state
    const back = serviceRecover(serviceDurable(pending))
    expect(back).toEqual({ state: { ...model, ledger: pending.ledger, answers: pending.answers }, out: [] })
  })

  it("shows its ledger and takes a new policy; a saga request it hands to the orchestrator", () => {
    const s = decided("ok")
    expect(serviceOnRequest(config, s, "c", { _tag: "Ledger", seq: 1 }).out).toEqual([
      { _tag: "Reply", client: "c", response: { _tag: "LedgerShown", seq: 1, ledger: s.ledger, policy: "either" } }
    ])
    const refusing = serviceOnRequest(config, s, "c", { _tag: "SetPolicy", seq: 2, policy: "refuse" })
    expect(refusing.state.policy).toBe("refuse")
    expect(serviceDurable(refusing.state).policy).toBe("refuse")
    expect(serviceOnRequest(config, s, "c", { _tag: "Start", seq: 3, saga: null }).out).toEqual([
      { _tag: "Reply", client: "c", response: { _tag: "Elsewhere", seq: 3, node: "orchestrator", reason: "sagas are kept by the orchestrator" } }
    ])
  })
})
