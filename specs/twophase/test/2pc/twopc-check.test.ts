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
    [2, 0, "unordered", false, 739],
    [3, 0, "unordered", false, 13_419],
    [2, 1, "unordered", false, 9_024],
    [2, 2, "unordered", false, 47_540],
    [2, 1, "ordered", false, 6_185],
    [2, 1, "unordered", true, 23_028],
    [2, 1, "ordered", true, 16_711]
  ] as const)("%i participants, %i crashes, %s network, lossy %s: every property holds in all %i states", (participants, crashes, network, lossy, states) => {
    // Without loss every behaviour ends with every transaction ended and none collecting: no deadlock.
    expectHolds(twoPhaseCommitSpec, { participants, crashes, network, lossy }, { states, deadlock: !lossy })
  })

  it("reaches 2PC's blocking: a participant that voted yes waits, undecided, while the coordinator is down", () => {
    expectHolds(twoPhaseCommitSpec, { participants: 2 }, { states: 9_024, reached: ["BlockedWhileCoordinatorDown", "CoordinatorRecoveredCommit"] })
  })

  it("with InDoubt, as the cluster runs it: a prepared participant asks for an overdue decision, and every property holds", () => {
    expectHolds(twoPhaseCommitSpec, { participants: 2, crashes: 1, inquire: true }, { states: 29_797, deadlock: true })
  })

  it.each([
    // participants, crashes, distinct states
    [1, 0, 7_813],
    [1, 1, 100_781]
  ] as const)("two transactions on one key, %i participants, %i crashes: conflicts are refused, locks stay exclusive, in all %i states", (participants, crashes, states) => {
    expectHolds(twoPhaseCommitSpec, { participants, crashes, transactions: 2 }, {
      states,
      deadlock: true,
      reached: ["ConflictRefused", "BothCommittedInTurn"]
    })
  })
})

describe("2pc, no-durable-decision: the checker finds the lost decision", () => {
  const config = { participants: 2, crashes: 1, variant: "no-durable-decision" }

  it.each(["unordered", "ordered", "duplicating"] as const)(
    "%s network: the restarted coordinator presumes abort after a participant committed, in 10 steps",
    (network) => {
      const trace = expectCaught(twoPhaseCommitSpec, { ...config, network }, { property: "CoordinatorAgrees", depth: 10 }).trace()
      expect(trace.steps.map((s) => s.event)).toContainEqual({ _tag: "Crash", node: "coordinator" })
      expect(trace.steps.at(-1)!.lanes["coordinator"]).toMatchObject({
        recovered: true,
        txs: [{ id: "t1", decision: "abort", logged: true }]
      })
    }
  )

  it("breaks Agreement: one participant committed, the other aborted", () => {
    const onlyAgreement = (system: AnySystemSpec): AnySystemSpec => ({ ...system, properties: system.properties.filter((p) => p.name === "Agreement") })
    const trace = expectCaught(twoPhaseCommitSpec, config, { property: "Agreement", depth: 11, adjust: onlyAgreement }).trace()
    // The shortest counterexample, step by step: p1 owns k2 and p2 owns k1 by the hash.
    expect(trace.steps.map((s) => s.action)).toEqual([
      "coordinator receives #1 Begin k2=v1 k1=v1 from client",
      "p1 receives Prepare t1 k2=v1 from coordinator",
      "p2 receives Prepare t1 k1=v1 from coordinator",
      "p1 timer CastVote t1 yes",
      "coordinator receives Vote t1 yes from p1",
      "p2 timer CastVote t1 yes",
      "coordinator receives Vote t1 yes from p2",
      "p1 receives Commit t1 from coordinator",
      "coordinator crashes",
      "coordinator restarts",
      "p2 receives Abort t1 from coordinator"
    ])
    expect(trace.steps[6]!.event).toMatchObject({
      sent: [{ to: "p1", message: "Commit t1" }, { to: "p2", message: "Commit t1" }, { to: "client", message: "#1 Outcome t1 commit" }]
    })
    // The log holds the transaction as begun, without the decision that was already sent.
    expect(trace.steps[8]!.lanes["coordinator"]).toEqual({
      down: true,
      durable: { role: "coordinator", next: 2, txs: [{ id: "t1", participants: ["p1", "p2"], decision: null, votes: ["yes", "yes"] }] }
    })
    expect(trace.steps[9]!.event).toMatchObject({ sent: [{ to: "p1", message: "Abort t1" }, { to: "p2", message: "Abort t1" }] })
    expect(trace.steps.at(-1)!.lanes).toMatchObject({
      p1: { txs: [{ id: "t1", phase: "committed", voted: "yes" }], store: { entries: { k2: "v1" } } },
      p2: { txs: [{ id: "t1", phase: "aborted", voted: "yes" }], store: { entries: {} } }
    })
  })

  it("is harmless without crashes: the log write always completes before anyone can ask", () => {
    expectHolds(twoPhaseCommitSpec, { ...config, crashes: 0 }, { states: 1_453 })
  })
})

describe("2pc liveness, under weak fairness of deliveries and timers", () => {
  it.each([
    // participants, distinct states
    [2, 739],
    [3, 13_419]
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
    expect([last["p1"], last["p2"]]).toContainEqual(expect.objectContaining({ txs: [expect.objectContaining({ phase: "prepared" })] }))
  })
})

/**
 * The checker renames participants, not keys: with one transaction each
 * participant holds one key of it, and what a participant's key is called
 * decides nothing (conflicts compare keys within one participant), so a
 * state and its renaming have the same futures. Without crashes the key
 * names keep every state apart, and there is nothing to merge.
 */
describe("2pc symmetry reduction: participants are interchangeable in one transaction", () => {
  it.each([[2, 1], [2, 2]])("%i participants, %i crashes: fewer states, every property still holds, every sometimes reached", (participants, crashes) => {
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
    const model = modelOf({ participants: 2, crashes: 1 }, variant)
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
