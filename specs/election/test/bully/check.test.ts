import { expectCaught, expectHolds } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { bullySpec } from "../../src/index.ts"

type Lane = { readonly phase?: string; readonly leader?: string | null }

const leadersAtEnd = (lanes: Readonly<Record<string, unknown>>): ReadonlyArray<string> =>
  Object.entries(lanes).filter(([, lane]) => (lane as Lane).phase === "leader").map(([id]) => id)

describe("bully, checked exhaustively under synchronous timing", () => {
  it.each([
    // overrides, what the check gives; the defaults reach a failover leader and the takeover window of a restarted higher node
    [{}, { states: 5_376, reached: ["LeaderElected", "FailoverLeader", "TakeoverWindow"] }],
    [{ crashes: 0 }, { states: 238 }],
    [{ crashes: 2 }, { states: 15_081 }],
    [{ network: "ordered" }, { states: 2_710 }],
    // with the heartbeats the cluster runs: a late Heartbeat of a node that stepped down moves no one
    [{ heartbeats: true }, { states: 36_736, reached: ["LeaderElected", "FailoverLeader", "TakeoverWindow"] }],
    [{ heartbeats: true, crashes: 2 }, { states: 101_246 }],
    [{ heartbeats: true, network: "ordered" }, { states: 19_860 }]
  ] as const)("%j: OneLeader and AgreementWhenQuiet hold, every sometimes reached: %j", (overrides, claim) => {
    expectHolds(bullySpec, overrides, claim)
  })
})

describe("bully under message delays: not what it promises", () => {
  it("async: a timeout fires before the Answer arrives, and two nodes lead at once", () => {
    const { trace } = expectCaught(bullySpec, { timing: "async" }, { property: "OneLeader", depth: 1 })
    const last = trace().steps.at(-1)!
    expect(last.event).toMatchObject({ _tag: "Timer", node: "n1", timer: "answer-timeout" })
    expect(leadersAtEnd(last.lanes)).toEqual(["n1", "n3"])
  })

  it("async with heartbeats: the same two leaders; a heartbeat detects crashes, it does not make timing synchronous", () => {
    expectCaught(bullySpec, { timing: "async", heartbeats: true }, { property: "OneLeader", depth: 1 })
  })
})

describe("bully's known bugs, each caught", () => {
  it("ignore-answer: n2 is answered by n3 and elects itself all the same", () => {
    const { trace } = expectCaught(bullySpec, { variant: "ignore-answer" }, { property: "OneLeader", depth: 10 })
    const steps = trace().steps
    expect(steps.map((s) => s.event._tag)).not.toContain("Crash")
    expect(leadersAtEnd(steps.at(-1)!.lanes)).toEqual(["n2", "n3"])
  })

  it("silent-restart: the restarted n3 follows nobody while the others follow it", () => {
    const { trace } = expectCaught(bullySpec, { variant: "silent-restart" }, { property: "AgreementWhenQuiet", depth: 8 })
    const steps = trace().steps
    expect(steps.at(-1)!.event).toEqual({ _tag: "Restart", node: "n3" })
    expect((steps.at(-1)!.lanes["n3"] as Lane).leader).toBeNull()
  })
})
