import { expectCaught, expectHolds } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { choreographySpec } from "../../src/index.ts"

/** The checker over `saga-choreography` as `parley check saga-choreography` builds it; counts pinned, depths BFS's. */
type Lane = { readonly ledger?: ReadonlyArray<string>; readonly outcome?: string | null }

describe("saga-choreography, checked exhaustively", () => {
  it("the defaults (3 steps, FIFO links, one resend, no crash): safety and SagaEnds hold in all 123,947 states", () => {
    expectHolds(choreographySpec, {}, {
      liveness: true,
      states: 123_947,
      reached: ["SagaCompleted", "CompensatedAfterT1Refused", "CompensatedAfterT2Refused", "CompensatedAfterT3Refused", "RetryDeduplicated"]
    })
  })

  it.each([
    // overrides, distinct states
    [{ steps: 2, network: "unordered" }, 10_191],
    [{ steps: 2, network: "duplicating" }, 6_715]
  ] as const)("%j: every safety property holds and every sometimes is reached, in all %i states", (overrides, states) => {
    expectHolds(choreographySpec, overrides, { states })
  })

  it("with a crash budget SagaEnds fails, a node may stay down, though safety holds and a saga ends after a restart", () => {
    const { trace } = expectCaught(choreographySpec, { steps: 2, crashes: 1, retries: 0, network: "unordered" }, {
      liveness: true,
      property: "SagaEnds",
      kind: "eventually",
      depth: 3,
      states: 5_296,
      reached: ["EndedDespiteRestart", "RetryDeduplicated"]
    })
    const steps = trace().steps
    expect(trace().loopStart).toBe(steps.length)
    expect(steps.map((s) => s.event._tag)).toContain("Crash")
    expect(Object.values(steps.at(-1)!.lanes)).toContainEqual(expect.objectContaining({ down: true }))
  })
})

describe("saga-choreography's known bugs, each caught with the property it breaks", () => {
  it("no-idempotency: the reservation's Done is resent, and payment charges twice", () => {
    const { trace } = expectCaught(choreographySpec, { variant: "no-idempotency" }, { property: "AtMostOnce", depth: 7, states: 296 })
    expect((trace().steps.at(-1)!.lanes["payment"] as Lane).ledger).toEqual(["charge", "charge"])
  })

  it("compensate-early: inventory gives up on an unacknowledged Done and releases, then payment charges", () => {
    const { trace } = expectCaught(choreographySpec, { variant: "compensate-early" }, { property: "ReverseOrder", depth: 6, states: 158 })
    const last = trace().steps.at(-1)!.lanes
    expect((last["inventory"] as Lane).ledger).toEqual(["reserve", "release"])
    expect((last["payment"] as Lane).ledger).toEqual(["charge"])
  })
})
