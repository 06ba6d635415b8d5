import { explore } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { bullySpec } from "../../src/index.ts"

type Lane = { readonly phase?: string; readonly leader?: string | null }

const leadersAtEnd = (lanes: Readonly<Record<string, unknown>>): ReadonlyArray<string> =>
  Object.entries(lanes).filter(([, lane]) => (lane as Lane).phase === "leader").map(([id]) => id)

describe("bully, checked exhaustively under synchronous timing", () => {
  it.each([
    // overrides, distinct states
    [{}, 5_376],
    [{ crashes: 0 }, 238],
    [{ crashes: 2 }, 15_081],
    [{ network: "ordered" }, 2_710]
  ] as const)("%j: OneLeader and AgreementWhenQuiet hold in all %i states", (overrides, states) => {
    const { result } = explore(bullySpec, overrides)
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
    expect(result.distinctStates).toBe(states)
  })

  it("reaches a failover leader and the takeover window of a restarted higher node", () => {
    const { result } = explore(bullySpec, {})
    expect(result.reached.map((r) => r.property)).toEqual(expect.arrayContaining(["LeaderElected", "FailoverLeader", "TakeoverWindow"]))
  })
})

describe("bully under message delays: not what it promises", () => {
  it("async: a timeout fires before the Answer arrives, and two nodes lead at once", () => {
    const { result, trace } = explore(bullySpec, { timing: "async" })
    expect(result.violation).toMatchObject({ property: "OneLeader", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(1)
    const last = trace().steps.at(-1)!
    expect(last.event).toMatchObject({ _tag: "Timer", node: "n1", timer: "answer-timeout" })
    expect(leadersAtEnd(last.lanes)).toEqual(["n1", "n3"])
  })
})

describe("bully's known bugs, each caught", () => {
  it("ignore-answer: n2 is answered by n3 and elects itself all the same", () => {
    const { result, trace } = explore(bullySpec, { variant: "ignore-answer" })
    expect(result.violation).toMatchObject({ property: "OneLeader", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(10)
    const steps = trace().steps
    expect(steps.map((s) => s.event._tag)).not.toContain("Crash")
    expect(leadersAtEnd(steps.at(-1)!.lanes)).toEqual(["n2", "n3"])
  })

  it("silent-restart: the restarted n3 follows nobody while the others follow it", () => {
    const { result, trace } = explore(bullySpec, { variant: "silent-restart" })
    expect(result.violation).toMatchObject({ property: "AgreementWhenQuiet", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(8)
    const steps = trace().steps
    expect(steps.at(-1)!.event).toEqual({ _tag: "Restart", node: "n3" })
    expect((steps.at(-1)!.lanes["n3"] as Lane).leader).toBeNull()
  })
})
