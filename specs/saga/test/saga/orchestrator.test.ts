import { describe, expect, it } from "vitest"
import { formatSagaMessage, formatSagaTimer } from "../../src/saga/format.ts"
import { formatLogEntry, nextOperation, outcomeOf } from "../../src/saga/log.ts"
import type { LogEntry, SagaMessage, SagaTimer } from "../../src/saga/messages.ts"
import {
  orchestratorDurable,
  orchestratorInit,
  orchestratorOnMessage,
  orchestratorOnRequest,
  orchestratorOnTimer,
  orchestratorRecover
} from "../../src/saga/orchestrator.ts"
import type { OrchestratorConfig, OrchestratorState } from "../../src/saga/orchestrator.ts"
import { noBugs, sagaSteps } from "../../src/steps.ts"
import { render } from "../render.ts"

const config: OrchestratorConfig = { steps: sagaSteps(3), retries: 1, bugs: noBugs, initialSagas: ["order-1"] }
const hosted: OrchestratorConfig = { ...config, retries: Number.POSITIVE_INFINITY, initialSagas: [] }
const early: OrchestratorConfig = { ...config, bugs: { ...noBugs, compensateEarly: true } }

const done = (step: number): LogEntry => ({ _tag: "Done", step })
const refused = (step: number): LogEntry => ({ _tag: "Refused", step })
const compensated = (step: number): LogEntry => ({ _tag: "Compensated", step })
const at = (log: ReadonlyArray<LogEntry>, attempts = 0): OrchestratorState => ({
  role: "orchestrator",
  sagas: [{ saga: "order-1", log, origin: null, attempts }],
  recovered: false
})
const logOf = (s: OrchestratorState) => s.sagas[0]!.log
const retry = (key: string): SagaTimer => ({ _tag: "Retry", saga: "order-1", key })

const lines = (out: Parameters<typeof render<SagaMessage, SagaTimer>>[0]) => render(out, formatSagaMessage, formatSagaTimer)

describe("the saga log decides what comes next", () => {
  it.each([
    // log, next operation
    [[], "Do T1"],
    [[done(1)], "Do T2"],
    [[done(1), done(2), done(3)], "Completed"],
    [[refused(1)], "Compensated"],
    [[done(1), refused(2)], "Undo T1"],
    [[done(1), done(2), refused(3)], "Undo T2"],
    [[done(1), done(2), refused(3), compensated(2)], "Undo T1"],
    [[done(1), done(2), refused(3), compensated(2), compensated(1)], "Compensated"],
    [[done(1), { _tag: "GaveUp", step: 2 }], "Undo T1"]
  ] as const)("%j: %s", (log, expected) => {
    const next = nextOperation(3, log)
    expect("step" in next ? `${next._tag} T${next.step}` : next._tag).toBe(expected)
  })

  it("has an outcome only once the saga ended", () => {
    expect(outcomeOf(3, [done(1), done(2)])).toBeUndefined()
    expect(outcomeOf(3, [done(1), done(2), done(3)])).toBe("completed")
    expect(outcomeOf(3, [done(1), refused(2), compensated(1)])).toBe("compensated")
  })
})

describe("the orchestrator", () => {
  it("starts T1 on start-up, with the step's idempotency key and a resend timer", () => {
    const started = orchestratorInit(config)
    expect(started.state).toEqual(at([]))
    expect(lines(started.out)).toEqual(["inventory <- Do T1 key=order-1:reserve", "set Retry order-1:reserve"])
  })

  it.each([
    // log before, answer, log after, outputs
    [[], { _tag: "Done", saga: "order-1", step: 1, key: "order-1:reserve", result: "ok" }, ["Done T1"],
      ["cancel Retry order-1:reserve", "payment <- Do T2 key=order-1:charge", "set Retry order-1:charge"]],
    [[done(1), done(2)], { _tag: "Done", saga: "order-1", step: 3, key: "order-1:ship", result: "ok" }, ["Done T1", "Done T2", "Done T3"],
      ["cancel Retry order-1:ship"]],
    [[done(1), done(2)], { _tag: "Done", saga: "order-1", step: 3, key: "order-1:ship", result: "refused" }, ["Done T1", "Done T2", "Refused T3"],
      ["cancel Retry order-1:ship", "payment <- Undo T2 key=order-1:refund", "set Retry order-1:refund"]],
    [[done(1), done(2), refused(3)], { _tag: "Undone", saga: "order-1", step: 2, key: "order-1:refund" }, ["Done T1", "Done T2", "Refused T3", "Compensated T2"],
      ["cancel Retry order-1:refund", "inventory <- Undo T1 key=order-1:release", "set Retry order-1:release"]]
  ] as const)("log %j, answer %j: logs it and sends the next operation", (log, answer, logAfter, out) => {
    const next = orchestratorOnMessage(config, at(log, 1), answer)
    expect(logOf(next.state).map(formatLogEntry)).toEqual(logAfter)
    expect(next.state.sagas[0]!.attempts).toBe(0)
    expect(lines(next.out)).toEqual(out)
  })

  it("ignores an answer to anything but the operation in progress: a duplicate, or one that arrived late", () => {
    const s = at([done(1)])
    expect(orchestratorOnMessage(config, s, { _tag: "Done", saga: "order-1", step: 1, key: "order-1:reserve", result: "ok" })).toEqual({ state: s, out: [] })
    expect(orchestratorOnMessage(config, s, { _tag: "Undone", saga: "order-1", step: 2, key: "order-1:refund" })).toEqual({ state: s, out: [] })
  })

  it("resends the same request when its timer fires, within the retry budget, then waits", () => {
    const resent = orchestratorOnTimer(config, at([done(1)]), retry("order-1:charge"))
    expect(resent.state.sagas[0]!.attempts).toBe(1)
    expect(lines(resent.out)).toEqual(["payment <- Do T2 key=order-1:charge", "set Retry order-1:charge"])
    expect(orchestratorOnTimer(config, resent.state, retry("order-1:charge"))).toEqual({ state: resent.state, out: [] })
  })

  it("ignores a stale timer of an operation already answered", () => {
    const s = at([done(1)])
    expect(orchestratorOnTimer(config, s, retry("order-1:reserve"))).toEqual({ state: s, out: [] })
  })

  it("compensate-early: with the budget spent it takes the step as failed and compensates the steps before it", () => {
    const gaveUp = orchestratorOnTimer(early, at([done(1)], 1), retry("order-1:charge"))
    expect(logOf(gaveUp.state).map(formatLogEntry)).toEqual(["Done T1", "GaveUp T2"])
    expect(lines(gaveUp.out)).toEqual(["cancel Retry order-1:charge", "inventory <- Undo T1 key=order-1:release", "set Retry order-1:release"])
    // A compensation is never given up on: it cannot fail.
    const undoing = at([done(1), refused(2)], 1)
    expect(orchestratorOnTimer(early, undoing, retry("order-1:release")).out).toEqual([])
  })

  it("keeps only its log across a crash and, restarted mid-saga, resends what it was waiting for under the same key", () => {
    const durable = orchestratorDurable(at([done(1)], 1))
    expect(durable).toEqual({ _tag: "Orchestrator", sagas: [{ saga: "order-1", log: [done(1)], origin: null }] })
    const back = orchestratorRecover(config, durable)
    expect(back.state).toEqual({ ...at([done(1)]), recovered: true })
    expect(lines(back.out)).toEqual(["payment <- Do T2 key=order-1:charge", "set Retry order-1:charge"])
  })

  it("restarted after the saga ended, sends nothing and is no mid-saga recovery", () => {
    const back = orchestratorRecover(config, { _tag: "Orchestrator", sagas: [{ saga: "order-1", log: [refused(1)], origin: null }] })
    expect(back).toEqual({ state: at([refused(1)]), out: [] })
  })
})

describe("the hosted orchestrator: many sagas, started by clients", () => {
  const replies = (out: ReadonlyArray<{ readonly _tag: string }>) => out.filter((o) => o._tag === "Reply")

  it("starts nothing by itself; a Start saves the saga, sends its T1 and answers its id", () => {
    const empty = orchestratorInit(hosted)
    expect(empty).toEqual({ state: { role: "orchestrator", sagas: [], recovered: false }, out: [] })
    const started = orchestratorOnRequest(hosted, empty.state, "c1", { _tag: "Start", seq: 1, saga: "trip-1" })
    expect(orchestratorDurable(started.state)).toEqual({ _tag: "Orchestrator", sagas: [{ saga: "trip-1", log: [], origin: "c1#1" }] })
    expect(lines(started.out.filter((o) => o._tag !== "Reply"))).toEqual(["inventory <- Do T1 key=trip-1:reserve", "set Retry trip-1:reserve"])
    expect(replies(started.out)).toEqual([{ _tag: "Reply", client: "c1", response: { _tag: "Started", seq: 1, saga: "trip-1", created: true } }])
  })

  it("a Start with an id it has starts nothing: a retry of the request that created it hears so again, another that it existed", () => {
    const once = orchestratorOnRequest(hosted, orchestratorInit(hosted).state, "c1", { _tag: "Start", seq: 1, saga: "trip-1" }).state
    const retried = orchestratorOnRequest(hosted, once, "c1", { _tag: "Start", seq: 1, saga: "trip-1" })
    expect(retried.state).toBe(once)
    expect(retried.out).toEqual([{ _tag: "Reply", client: "c1", response: { _tag: "Started", seq: 1, saga: "trip-1", created: true } }])
    const another = orchestratorOnRequest(hosted, once, "c2", { _tag: "Start", seq: 9, saga: "trip-1" })
    expect(another.state).toBe(once)
    expect(another.out).toEqual([{ _tag: "Reply", client: "c2", response: { _tag: "Started", seq: 9, saga: "trip-1", created: false } }])
  })

  it("names a saga started without an id saga-N, skipping an N a client took", () => {
    const taken = orchestratorOnRequest(hosted, orchestratorInit(hosted).state, "c", { _tag: "Start", seq: 1, saga: "saga-2" }).state
    const named = orchestratorOnRequest(hosted, taken, "c", { _tag: "Start", seq: 2, saga: null })
    expect(named.state.sagas.map((run) => run.saga)).toEqual(["saga-2", "saga-3"])
  })

  it("runs sagas side by side: an answer moves its own saga only", () => {
    const two = [["a", 1], ["b", 2]].reduce(
      (s, [saga, seq]) => orchestratorOnRequest(hosted, s, "c", { _tag: "Start", seq: Number(seq), saga: String(saga) }).state,
      orchestratorInit(hosted).state
    )
    const next = orchestratorOnMessage(hosted, two, { _tag: "Done", saga: "b", step: 1, key: "b:reserve", result: "refused" })
    expect(next.state.sagas.map((run) => [run.saga, run.log.map(formatLogEntry)])).toEqual([["a", []], ["b", ["Refused T1"]]])
    expect(orchestratorOnRequest(hosted, next.state, "c", { _tag: "Show", seq: 3, saga: "b" }).out).toEqual([
      { _tag: "Reply", client: "c", response: { _tag: "Shown", seq: 3, saga: "b", view: {
        id: "b",
        state: "compensated",
        steps: [
          { step: 1, service: "inventory", action: "reserve", compensation: "release", state: "refused" },
          { step: 2, service: "payment", action: "charge", compensation: "refund", state: "not run" },
          { step: 3, service: "shipping", action: "ship", compensation: "recall", state: "not run" }
        ],
        log: ["Refused T1"]
      } } }
    ])
    expect(orchestratorOnRequest(hosted, next.state, "c", { _tag: "Show", seq: 4, saga: "zzz" }).out).toEqual([
      { _tag: "Reply", client: "c", response: { _tag: "Shown", seq: 4, saga: "zzz", view: null } }
    ])
  })

  it("never stops resending with an unbounded budget: a service down for a while only delays the saga", () => {
    let s = orchestratorOnRequest(hosted, orchestratorInit(hosted).state, "c", { _tag: "Start", seq: 1, saga: "order-1" }).state
    for (let i = 0; i < 50; i++) {
      const resent = orchestratorOnTimer(hosted, s, retry("order-1:reserve"))
      expect(lines(resent.out)).toEqual(["inventory <- Do T1 key=order-1:reserve", "set Retry order-1:reserve"])
      s = resent.state
    }
  })
})
