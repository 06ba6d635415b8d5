import { describe, expect, it } from "vitest"
import { changedParts, inFlightAt, traceView } from "../src/index.ts"
import { asLasso, ringTrace, twoPhaseTrace } from "./fixtures.ts"

describe("traceView", () => {
  const view = traceView(twoPhaseTrace)

  it("keeps the lanes' order and names the verdict and where it breaks", () => {
    expect(view.lanes).toEqual(["coordinator", "p1", "p2", "p3", "client"])
    expect(view.verdict).toMatchObject({ name: "CoordinatorAgrees", kind: "always", brokenAt: 13, loop: null })
    expect(view.verdict?.verdict).toBe("✗ CoordinatorAgrees does not hold after step 13")
    expect(view.config).toContain("variant=no-durable-decision")
  })

  it("follows each message from the step that sent it to the step that delivered it", () => {
    const begin = view.messages[view.steps[0]!.consumed!]!
    expect(begin).toMatchObject({ from: "client", to: "coordinator", message: "Begin", sentAt: 0, endedAt: 1 })
    const prepares = view.steps[0]!.sent.map((id) => view.messages[id]!)
    expect(prepares.map((m) => [m.from, m.to, m.sentAt])).toEqual([["coordinator", "p1", 1], ["coordinator", "p2", 1], ["coordinator", "p3", 1]])
    expect(prepares.map((m) => m.endedAt)).toEqual([2, 3, 4])
    // After step 11 the commits to p2 and p3 and the outcome to the client are still in flight.
    const waiting = inFlightAt(view.messages, 11).map((id) => view.messages[id]!)
    expect(waiting.map((m) => `${m.to}:${m.message}`).sort()).toEqual(["client:Outcome(commit)", "p2:Commit", "p3:Commit"])
  })

  it("names the innermost parts a step changed, with their old values", () => {
    const crash = view.steps[11]!
    expect(crash.event._tag).toBe("Crash")
    expect(crash.changed).toContainEqual({ path: ["coordinator", "down"] })
    expect(crash.changed).toContainEqual({ path: ["coordinator", "phase"], before: "decided" })
    const begin = view.steps[0]!.changed
    expect(begin).toContainEqual({ path: ["coordinator", "phase"], before: "idle" })
    expect(begin.every((change) => change.path[0] === "coordinator")).toBe(true)
  })

  it("marks a lasso's loop", () => {
    expect(traceView(asLasso(twoPhaseTrace, 10)).verdict).toMatchObject({ kind: "eventually", loop: { first: 11, last: 13 }, brokenAt: 10 })
  })
})

describe("changedParts", () => {
  it("compares same-length arrays by index and lists grown or shrunk ones as what came and went", () => {
    expect(changedParts({ a: { next: [1, 1, 1] } }, { a: { next: [1, 2, 1] } })).toEqual([{ path: ["a", "next", "1"], before: 1 }])
    expect(changedParts({ a: { log: ["x", "y"] } }, { a: { log: ["x", "y", "z"] } })).toEqual([{ path: ["a", "log"] }, { path: ["a", "log", "2"] }])
    expect(changedParts({ a: { votes: ["p1", "p2"] } }, { a: { votes: ["p2"] } })).toEqual([{ path: ["a", "votes"], removed: ["p1"] }])
  })

  it("reports a key that appears without an old value and one that goes with it", () => {
    expect(changedParts({ a: { x: 1 } }, { a: { y: 2 } })).toEqual([{ path: ["a", "x"], before: 1 }, { path: ["a", "y"] }])
  })

  it("handles a long trace", () => {
    const long = traceView(ringTrace(5, 600))
    expect(long.steps).toHaveLength(600)
    expect(long.messages).toHaveLength(600)
    expect(inFlightAt(long.messages, 600)).toHaveLength(1)
  })
})
