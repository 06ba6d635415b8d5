import { expectCaught, expectHolds } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { paxosSpec } from "../../src/index.ts"

// The checker over `paxos` as `parley check paxos` builds it. State counts are pinned so that a change to the spec or
// the checker that alters the search is noticed.

type Lane = { readonly votes?: ReadonlyArray<string>; readonly proposal?: string | null }

describe("paxos, checked exhaustively", () => {
  it.each([
    // overrides, distinct states
    [{}, 137_324],
    [{ crashes: 0 }, 18_274],
    [{ crashes: 0, learners: 2 }, 88_114]
  ] as const)("%j: every property holds and every sometimes is reached, in all %i states", (overrides, states) => {
    expectHolds(paxosSpec, overrides, { states, reached: ["ValueChosen", "ValueAdopted", "CompetingVotes"] })
  })
})

describe("paxos's known bugs, each caught with the property it breaks", () => {
  it("forget-promise: a restarted acceptor votes below the promise it forgot, and a second value is chosen", () => {
    const { trace } = expectCaught(paxosSpec, { variant: "forget-promise" }, { property: "AtMostOneChosen", depth: 20 })
    const steps = trace().steps
    const crashed = steps.find((s) => s.event._tag === "Crash")?.event
    expect(crashed).toMatchObject({ node: expect.stringMatching(/^a/) })
    expect(steps.map((s) => s.event)).toContainEqual({ _tag: "Restart", node: (crashed as { node: string }).node })
    const votes = (steps.at(-1)!.lanes["l1"] as Lane).votes
    expect(votes).toEqual(expect.arrayContaining([expect.stringMatching(/^b1 a\d=v1$/), expect.stringMatching(/^b2 a\d=v2$/)]))
  })

  it("ignore-accepted: a later ballot proposes its own value over a chosen one", () => {
    const { trace } = expectCaught(paxosSpec, { variant: "ignore-accepted" }, { property: "AtMostOneChosen", depth: 18 })
    const steps = trace().steps
    expect(steps.some((s) => s.event._tag === "Deliver" && /^Promise b2 \(voted b1=v1\)$/.test(s.event.message))).toBe(true)
    expect((steps.at(-1)!.lanes["p2"] as Lane).proposal).toBe("v2")
    expect(steps.map((s) => s.event._tag)).not.toContain("Crash")
  })
})
