import { expectCaught, expectHolds } from "@parley/checker/testing"
import type { AnySystemSpec } from "@parley/core"
import { describe, expect, it } from "vitest"
import { multiPaxosSpec } from "../../src/index.ts"

/**
 * The checker over `multi-paxos` as `parley check multi-paxos` builds it, on
 * one thread, so a counterexample and the states counted when it is found
 * are the same on every run. State counts are pinned so that a change to the
 * spec or the checker that alters the search is noticed.
 */

/** The system without the properties named. */
const settingAside = (names: ReadonlyArray<string>) => (system: AnySystemSpec): AnySystemSpec => ({
  ...system,
  properties: system.properties.filter((p) => !names.includes(p.name))
})

type Lane = { readonly accepted?: ReadonlyArray<string>; readonly log?: ReadonlyArray<string> }

describe("multi-paxos, checked exhaustively", () => {
  it.each([
    // overrides, distinct states, the sometimes properties these bounds allow
    // The default: a change of leader (ballot 2 is n2's) with both clients' operations, answered on either side of it.
    [{}, 396_511, ["CommandChosen", "ClientsFinished", "TwoSlotsChosen", "LeaderReproposed", "AnsweredByTwoLeaders", "GapFilled", "ChosenDespiteRestart"]],
    [{ crashes: 0 }, 45_366, ["CommandChosen", "ClientsFinished", "TwoSlotsChosen", "LeaderReproposed", "AnsweredByTwoLeaders", "GapFilled"]],
    // One client whose operation a retry may take to a second node.
    [{ crashes: 0, clients: 1, retries: 1 }, 13_217, ["CommandChosen", "ClientsFinished", "LeaderReproposed"]]
  ] as const)("%j: every property holds and every sometimes is reached, in all %i states", (overrides, states, sometimes) => {
    expectHolds(multiPaxosSpec, overrides, { states, reached: sometimes, reachedOnly: true })
  })
})

describe("multi-paxos's known bugs, each caught with the property it breaks", () => {
  it("forget-promise: a restarted acceptor takes a stale Accept below the promise it forgot, and two commands are chosen in one slot", () => {
    const { trace } = expectCaught(multiPaxosSpec, { variant: "forget-promise" }, { property: "AtMostOneChosenPerSlot", depth: 13, states: 109_021 })
    const steps = trace().steps
    const crashed = steps.find((s) => s.event._tag === "Crash")?.event as { readonly node: string } | undefined
    expect(crashed).toBeDefined()
    expect(steps.map((s) => s.event)).toContainEqual({ _tag: "Restart", node: crashed!.node })
    const last = steps.at(-1)!.lanes
    expect((last["n1"] as Lane).log).toEqual(["s1 c1#1 Put(x=1)"])
    expect((last[crashed!.node] as Lane).accepted).toEqual(["s1 b2=c2#1 Get(x)"])
  })

  it("ignore-accepted: a new leader proposes a no-op over a command its quorum reported chosen", () => {
    const { trace } = expectCaught(multiPaxosSpec, { variant: "ignore-accepted" }, { property: "AtMostOneChosenPerSlot", depth: 10, states: 21_057 })
    const steps = trace().steps
    expect(steps.some((s) => s.event._tag === "Deliver" && /^Promise b2 \[s1 b1=c1#1 Put\(x=1\)\]$/.test(s.event.message))).toBe(true)
    expect(steps.some((s) => s.event._tag === "Deliver" && s.event.message === "Accept b2 s1 noop")).toBe(true)
    expect(steps.map((s) => s.event._tag)).not.toContain("Crash")
  })

  it.each([
    // variant, depth, distinct states
    ["forget-promise", 19, 71_330],
    ["ignore-accepted", 18, 34_817]
  ] as const)("%s: a client sees it too: after its Put is acknowledged, its Get finds the key absent", (variant, depth, states) => {
    // One client whose two operations are sequential, and the agreement property set aside, so the history must show the bug.
    const { trace } = expectCaught(multiPaxosSpec, { variant, clients: 1, requests: 2 }, {
      property: "Linearizable",
      depth,
      states,
      adjust: settingAside(["AtMostOneChosenPerSlot"])
    })
    const answers = trace().steps.flatMap((s) => (s.event._tag === "Deliver" && s.event.to === "c1" && !s.event.message.includes("Redirect") ? [s.event.message] : []))
    expect(answers).toEqual(["#1 Written", "#2 Value(absent)"])
  })
})
