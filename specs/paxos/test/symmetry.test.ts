import { check, replay, systemModel } from "@parley/checker"
import type { CheckResult } from "@parley/checker"
import { defaultConfig } from "@parley/core"
import type { ConfigValue, SpecDefinition } from "@parley/core"
import { describe, expect, it } from "vitest"
import { multiPaxosSpec, paxosSpec } from "../src/index.ts"

/**
 * `--symmetry` on the Paxos specs: paxos' acceptors, and Multi-Paxos' nodes
 * that lead no ballot in the bounds and that no client starts with. The
 * orbit counts are pinned beside the full counts, each known-buggy variant
 * is caught with the same property at the same depth as without, and its
 * counterexample replays to a state that breaks the property.
 */
const modelOf = (spec: SpecDefinition, overrides: Readonly<Record<string, ConfigValue>>) => {
  const built = spec.build({ ...defaultConfig(spec), ...overrides })
  if (built._tag !== "System") throw new TypeError(`${spec.name} builds an actor system`)
  return { system: built.system, model: systemModel(built.system) }
}

const expectReplaysToViolation = (spec: SpecDefinition, overrides: Readonly<Record<string, ConfigValue>>, result: CheckResult) => {
  const { model } = modelOf(spec, overrides)
  const { steps } = replay(model, result.violation!.path)
  const property = model.properties.find((p) => p.name === result.violation!.property)!
  expect(property.holds(steps.at(-1)!.state)).toBe(false)
}

describe("paxos with --symmetry: the acceptors are interchangeable", () => {
  it("declares a1, a2 and a3", () => {
    expect(modelOf(paxosSpec, {}).system.symmetric).toEqual(["a1", "a2", "a3"])
  })

  it.each([
    // overrides, orbits, distinct states without (pinned in paxos/check.test.ts)
    [{}, 23_603, 137_324],
    [{ crashes: 0 }, 3_227, 18_274]
  ] as const)("%j: every property holds, every sometimes reached, in %i orbits of %i states", (overrides, orbits, states) => {
    const result = check(modelOf(paxosSpec, overrides).model, { strategy: "bfs", symmetry: true })
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
    expect(result.distinctStates).toBe(orbits)
    // No orbit has more members than the 3! permutations.
    expect(orbits * 6).toBeGreaterThanOrEqual(states)
  })

  it.each([
    // variant, property, depth without symmetry (pinned in paxos/check.test.ts)
    ["forget-promise", "AtMostOneChosen", 20],
    ["ignore-accepted", "AtMostOneChosen", 18]
  ] as const)("%s: still caught with %s at depth %i, by a counterexample that replays", (variant, property, depth) => {
    const result = check(modelOf(paxosSpec, { variant }).model, { strategy: "bfs", symmetry: true })
    expect(result.violation?.property).toBe(property)
    expect(result.violation?.path.actionIndices.length).toBe(depth)
    expectReplaysToViolation(paxosSpec, { variant }, result)
  })
})

describe("multi-paxos with --symmetry: the nodes that neither lead nor start a client", () => {
  it.each([
    ["the defaults: n1 and n2 lead, c1 and c2 start there, n3 alone", {}, []],
    ["five nodes", { nodes: 5 }, ["n3", "n4", "n5"]],
    ["one ballot, one client", { "max-ballot": 1, clients: 1 }, ["n2", "n3"]],
    ["clients that retry", { nodes: 5, retries: 1 }, []],
    ["no client", { nodes: 5, clients: 0, "max-ballot": 3 }, ["n4", "n5"]]
  ] as const)("%s: %j", (_, overrides, expected) => {
    const { system } = modelOf(multiPaxosSpec, overrides)
    expect(system.symmetric ?? []).toEqual(expected)
  })

  it.each([
    // overrides, orbits, distinct states without
    [{ clients: 1, "max-ballot": 1 }, 224, 409],
    [{ nodes: 5, crashes: 0, clients: 1, "max-ballot": 1, slots: 1 }, 90, 849]
  ] as const)("%j: the same verdict and sometimes reached in %i orbits of %i states", (overrides, orbits, states) => {
    const { model } = modelOf(multiPaxosSpec, overrides)
    const full = check(model, { strategy: "bfs" })
    const reduced = check(model, { strategy: "bfs", symmetry: true })
    expect(full.result).toBe("ok")
    expect(reduced.result).toBe("ok")
    expect([full.distinctStates, reduced.distinctStates]).toEqual([states, orbits])
    expect(reduced.reached.map((r) => r.property)).toEqual(full.reached.map((r) => r.property))
  })

  it("ignore-accepted (four nodes, n3 and n4 swapped): caught with the same property at the same depth", () => {
    const overrides = { nodes: 4, clients: 1, slots: 1, variant: "ignore-accepted" }
    const { model } = modelOf(multiPaxosSpec, overrides)
    const full = check(model, { strategy: "bfs" })
    const reduced = check(model, { strategy: "bfs", symmetry: true })
    expect(reduced.violation?.property).toBe("AtMostOneChosenPerSlot")
    expect(reduced.violation?.path.actionIndices.length).toBe(full.violation?.path.actionIndices.length)
    expect(reduced.distinctStates).toBeLessThan(full.distinctStates)
    expectReplaysToViolation(multiPaxosSpec, overrides, reduced)
  })
})

