import { check, replay, systemModel } from "@parley/checker"
import { expectCaught, expectHolds } from "@parley/checker/testing"
import { CorrectVariant } from "@parley/core"
import type { AnySystemSpec } from "@parley/core"
import { describe, expect, it } from "vitest"
import { twoPhaseCommitSpec, twoPhaseCommitSystem } from "../../src/2pc/spec.ts"
import type { TwoPhaseCommitOptions } from "../../src/2pc/spec.ts"

/**
 * The checker over the `2pc` system. State counts are pinned, as the TLA+
 * Examples manifest and Stateright's tests pin theirs, so that a change to
 * the spec or to the checker that alters the search is noticed.
 */

/** The model for the checks `explore` does not run (symmetry reduction): the spec's defaults, overridden. */
const modelOf = (given: Partial<TwoPhaseCommitOptions>, variant: string = CorrectVariant) =>
  systemModel(twoPhaseCommitSystem(twoPhaseCommitSpec.resolve(given), twoPhaseCommitSpec.bugsOf(variant)))

const variants = twoPhaseCommitSpec.variants.map((v) => v.name)

describe("2pc, correct, checked exhaustively", () => {
  it.each([
    // participants, crashes, network, lossy, distinct states
    [2, 0, "unordered", false, 321],
    [3, 0, "unordered", false, 3_597],
    [2, 1, "unordered", false, 3_284],
    // The spec's defaults.
    [3, 1, "unordered", false, 49_393],
    [2, 2, "unordered", false, 16_140],
    [2, 1, "ordered", false, 2_684],
    [2, 1, "duplicating", false, 669],
    [2, 1, "unordered", true, 9_029],
    [2, 1, "ordered", true, 7_034]
  ] as const)("%i participants, %i crashes, %s network, lossy %s: every property holds in all %i states", (participants, crashes, network, lossy, states) => {
    // Without loss every behaviour ends with every participant committed or aborted: no deadlock.
    expectHolds(twoPhaseCommitSpec, { participants, crashes, network, lossy }, { states, deadlock: !lossy })
  })

  it("reaches 2PC's blocking: a participant that voted yes waits, undecided, while the coordinator is down", () => {
    expectHolds(twoPhaseCommitSpec, { participants: 2 }, { states: 3_284, reached: ["BlockedWhileCoordinatorDown", "CoordinatorRecoveredCommit"] })
  })
})

describe("2pc, no-durable-decision: the checker finds the lost decision", () => {
  const config = { participants: 2, crashes: 1, variant: "no-durable-decision" }

  it.each(["unordered", "ordered", "duplicating"] as const)(
    "%s network: the restarted coordinator presumes abort after a participant committed, in 10 steps",
    (network) => {
      const trace = expectCaught(twoPhaseCommitSpec, { ...config, network }, { property: "CoordinatorAgrees", depth: 10 }).trace()
      expect(trace.steps.map((s) => s.event)).toContainEqual({ _tag: "Crash", node: "coordinator" })
      expect(trace.steps.at(-1)!.lanes["coordinator"]).toMatchObject({ phase: "decided", decision: "abort", logged: false, recovered: true })
    }
  )

  it("breaks Agreement: one participant committed, the other aborted", () => {
    const onlyAgreement = (system: AnySystemSpec): AnySystemSpec => ({ ...system, properties: system.properties.filter((p) => p.name === "Agreement") })
    const trace = expectCaught(twoPhaseCommitSpec, config, { property: "Agreement", depth: 11, adjust: onlyAgreement }).trace()
    expect(trace.steps.map((s) => s.event)).toContainEqual({ _tag: "Crash", node: "coordinator" })
    // The shortest counterexample, step by step.
    expect(trace.steps.map((s) => s.action)).toEqual([
      "coordinator receives Begin from client",
      "p1 receives Prepare from coordinator",
      "p2 receives Prepare from coordinator",
      "p1 timer CastVote(yes)",
      "coordinator receives Vote(yes) from p1",
      "p2 timer CastVote(yes)",
      "coordinator receives Vote(yes) from p2",
      "p1 receives Commit from coordinator",
      "coordinator crashes",
      "coordinator restarts",
      "p2 receives Abort from coordinator"
    ])
    expect(trace.steps[6]!.event).toMatchObject({
      sent: [{ to: "p1", message: "Commit" }, { to: "p2", message: "Commit" }, { to: "client", message: "Outcome(commit)" }]
    })
    expect(trace.steps[8]!.lanes["coordinator"]).toEqual({ down: true, durable: { role: "coordinator", decision: null } })
    expect(trace.steps[9]!.event).toMatchObject({ sent: [{ to: "p1", message: "Abort" }, { to: "p2", message: "Abort" }] })
    expect(trace.steps.at(-1)!.lanes).toMatchObject({
      p1: { phase: "committed", voted: "yes" },
      p2: { phase: "aborted", voted: "yes" }
    })
  })

  it("is harmless without crashes: the log write always completes before anyone can ask", () => {
    expectHolds(twoPhaseCommitSpec, { ...config, crashes: 0 }, { states: 617 })
  })
})

describe("2pc liveness, under weak fairness of deliveries and timers", () => {
  it.each([
    // participants, distinct states
    [2, 321],
    [3, 3_597]
  ])("with %i participants and no crash, every prepared participant decides and every live one ends, in all %i states", (participants, states) => {
    expectHolds(twoPhaseCommitSpec, { participants, crashes: 0 }, { liveness: true, states })
  })

  it("with one crash, 2PC blocks: the lasso ends with the coordinator down and a participant prepared, forever", () => {
    const { result, trace: traceOf } = expectCaught(twoPhaseCommitSpec, { participants: 2, crashes: 1 }, {
      liveness: true,
      property: "PreparedDecides",
      kind: "leadsTo",
      depth: 8
    })
    const trace = traceOf()
    expect(trace.loopStart).toBe(result.violation!.loopStart)
    expect(trace.loopStart).toBe(trace.steps.length)
    const last = trace.steps.at(-1)!.lanes
    expect(last["coordinator"]).toMatchObject({ down: true })
    expect([last["p1"], last["p2"]]).toContainEqual(expect.objectContaining({ phase: "prepared" }))
  })
})

describe("2pc symmetry reduction: participants are interchangeable", () => {
  it.each([[2, 1], [3, 1], [3, 0]])("%i participants, %i crashes: fewer states, every property still holds, every sometimes reached", (participants, crashes) => {
    const model = modelOf({ participants, crashes })
    const full = check(model, { strategy: "bfs" })
    const reduced = check(model, { strategy: "bfs", symmetry: true })
    expect(reduced.result).toBe("ok")
    expect(reduced.unreached).toEqual([])
    expect(reduced.distinctStates).toBeLessThan(full.distinctStates)
    // No orbit has more members than there are permutations of the participants.
    expect(reduced.distinctStates * (participants === 3 ? 6 : 2)).toBeGreaterThanOrEqual(full.distinctStates)
  })

  it.each(variants)("%s: the same violation at the same depth with and without it, and its trace replays to a violating state", (variant) => {
    const model = modelOf({ participants: 3, crashes: 1 }, variant)
    const full = check(model, { strategy: "bfs" })
    const reduced = check(model, { strategy: "bfs", symmetry: true })
    expect(reduced.violation?.property).toBe(full.violation?.property)
    expect(reduced.violation?.path.actionIndices.length).toBe(full.violation?.path.actionIndices.length)
    const property = model.properties.find((p) => p.name === reduced.violation!.property)!
    const { steps } = replay(model, reduced.violation!.path)
    expect(property.holds(steps.at(-1)!.state)).toBe(false)
  })

  it("is refused together with liveness", () => {
    const model = modelOf({ participants: 2, crashes: 0 })
    expect(() => check(model, { strategy: "bfs", symmetry: true, liveness: true })).toThrow(/do not go together/)
  })
})
