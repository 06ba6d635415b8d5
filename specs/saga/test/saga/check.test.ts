import { expectCaught, expectHolds } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { sagaSpec } from "../../src/index.ts"

/**
 * The checker over `saga` as `parley check saga` builds it. State counts are
 * pinned so that a change to the spec or the checker that alters the search
 * is noticed; depths are those of BFS, so each trace is a shortest one.
 */
type Lane = {
  readonly sagas?: Readonly<Record<string, { readonly log: ReadonlyArray<string> }>>
  readonly ledger?: ReadonlyArray<string>
  readonly down?: boolean
}

const everyWitness = [
  "SagaCompleted",
  "CompensatedAfterT1Refused",
  "CompensatedAfterT2Refused",
  "CompensatedAfterT3Refused",
  "RetryDeduplicated"
]

describe("saga, checked exhaustively", () => {
  it.each([
    // overrides, distinct states
    [{ crashes: 0 }, 4_306],
    [{ crashes: 0, network: "duplicating" }, 428],
    [{ crashes: 0, lossy: true }, 10_165],
    [{ network: "ordered" }, 28_205]
  ] as const)("%j: every safety property holds and every sometimes is reached, in all %i states", (overrides, states) => {
    expectHolds(sagaSpec, overrides, { states, reached: everyWitness })
  })
})

describe("saga liveness: SagaEnds under weak fairness of deliveries and timers", () => {
  it("holds with no crash: every fair behaviour ends the saga, completed or compensated", () => {
    expectHolds(sagaSpec, { crashes: 0 }, { liveness: true, states: 4_306, reached: everyWitness })
  })

  it("fails with the default crash budget: the orchestrator may crash and stay down, and the saga never ends (safety still holds in all 69,194 states)", () => {
    const { trace } = expectCaught(sagaSpec, {}, {
      liveness: true,
      property: "SagaEnds",
      kind: "eventually",
      depth: 4,
      states: 69_194,
      unreached: [],
      reached: [...everyWitness, "RecoveredMidSagaAndEnded"]
    })
    const steps = trace().steps
    expect(steps).toHaveLength(4)
    expect(steps.map((s) => s.event._tag)).toContain("Crash")
    expect(steps.map((s) => s.event._tag)).not.toContain("Restart")
    // The lasso is its last state, forever: nothing fair is left to do, and the orchestrator is down.
    expect(trace().loopStart).toBe(steps.length)
    expect(steps.at(-1)!.lanes["orchestrator"]).toMatchObject({ down: true })
  })

  it("fails on a lossy network: a request and its resends may all be lost, and the retry budget is spent", () => {
    expectCaught(sagaSpec, { crashes: 0, lossy: true }, { liveness: true, property: "SagaEnds", kind: "eventually", depth: 4 })
  })
})

describe("saga's known bugs, each caught with the property it breaks", () => {
  it("no-idempotency: a resent charge is applied twice", () => {
    const { trace } = expectCaught(sagaSpec, { variant: "no-idempotency" }, { property: "AtMostOnce", depth: 8, states: 305 })
    const steps = trace().steps
    expect(steps.filter((s) => s.event._tag === "Timer" && s.event.timer === "Retry order-1:charge")).toHaveLength(1)
    expect((steps.at(-1)!.lanes["payment"] as Lane).ledger).toEqual(["charge", "charge"])
  })

  it("compensate-early: a step given up on succeeds late and is left uncompensated", () => {
    const { trace } = expectCaught(sagaSpec, { variant: "compensate-early" }, { property: "AllOrNothing", depth: 4, states: 28 })
    const last = trace().steps.at(-1)!.lanes
    expect((last["orchestrator"] as Lane).sagas?.["order-1"]?.log).toEqual(["GaveUp T1"])
    expect((last["inventory"] as Lane).ledger).toEqual(["reserve"])
  })

  it("compensate-early is caught when the orchestrator cannot crash too", () => {
    expectCaught(sagaSpec, { variant: "compensate-early", crashes: 0, retries: 0 }, { property: "AllOrNothing", depth: 3 })
  })
})
