import { buildTrace, check, replay, toModel } from "@parley/checker"
import type { CheckResult } from "@parley/checker"
import { always, defaultConfig, fingerprint } from "@parley/core"
import type { AnySystemSpec, ConfigValue, Model, SpecDefinition } from "@parley/core"
import { describe, expect, it } from "vitest"
import { registry } from "../src/registry.ts"

/**
 * Partial-order reduction (sleep sets, on in `parley check` unless
 * `--no-por`: the search `defaults` below) over every spec in the registry
 * written as actors: each
 * known-buggy variant still caught at the spec's defaults (or where its own
 * tests catch it, when they do not), by a
 * counterexample that replays and breaks its property; each correct spec,
 * in a configuration small enough to search twice, with the same verdict,
 * states and depth as without it, every `sometimes` property reached in
 * the very same states.
 */
const actorSpecs = registry.filter((spec) => spec.build(defaultConfig(spec))._tag === "System")

/** Per spec, a configuration of the correct algorithm small enough to search twice here. */
const small: Readonly<Record<string, Readonly<Record<string, ConfigValue>>>> = {
  "2pc": { participants: 2 },
  raft: { clients: 0, "max-term": 1, crashes: 0 },
  paxos: { crashes: 0 },
  "multi-paxos": { clients: 1, slots: 1, crashes: 0, "max-ballot": 1 },
  lock: {},
  "zk-lock": { clients: 2 },
  "causal-broadcast": { broadcasts: 1 },
  "dynamo-register": { replicas: 2 },
  bully: {},
  ring: { nodes: 3 },
  zk: {},
  saga: { crashes: 0 },
  "saga-choreography": { steps: 2 }
}

/**
 * Variants the spec's defaults do not catch, with the configuration its own
 * tests catch them in: Raft's Figure 8 needs three terms for
 * ElectableCompleteness (about 90,000 states); a stale snapshot needs
 * snapshots on and links that reorder; a read past a lease's end needs lease
 * reads, CheckQuorum, PreVote and a client's retry (about 600,000 states).
 */
const catching: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, ConfigValue>>>>>> = {
  raft: {
    "commit-prior-term": { clients: 0, "max-term": 3, crashes: 0 },
    "stale-snapshot": { "snapshot-every": 1, "max-term": 1, network: "unordered" },
    "lease-past-expiry": { "lease-reads": true, checkquorum: true, prevote: true, crashes: 0, retries: 1, "max-in-flight": 3 }
  }
}

/**
 * Variants no breadth-first search here catches, which the reduction (a
 * breadth-first search's) is not for: Raft's single-server-change bug needs
 * four nodes, a spare and three terms, and is caught by seeded random walks
 * (specs/raft/test/raft/membership-check.test.ts).
 */
const caughtOnlyByWalks: Readonly<Record<string, ReadonlyArray<string>>> = {
  raft: ["membership-without-commit"]
}

const searchedVariants = (spec: SpecDefinition): ReadonlyArray<string> =>
  spec.variants.map((variant) => variant.name).filter((name) => !(caughtOnlyByWalks[spec.name] ?? []).includes(name))

/** The reductions `parley check` searches with when given no flag for them: partial-order reduction, no symmetry. */
const defaults = { strategy: "bfs", partialOrder: true } as const

/** About two million states on a busy machine. */
const LONG = 900_000

const modelOf = (spec: SpecDefinition, overrides: Readonly<Record<string, ConfigValue>>, adjust = (system: AnySystemSpec) => system): Model<unknown, unknown> => {
  const built = spec.build({ ...defaultConfig(spec), ...overrides })
  if (built._tag !== "System") throw new TypeError(`${spec.name} is not written as actors`)
  return toModel({ _tag: "System", system: adjust(built.system) })
}

/** The system with one more invariant that notes, per `sometimes` property, the fingerprint of every state satisfying it. */
const witnessing = (witnesses: Map<string, Set<bigint>>) => (system: AnySystemSpec): AnySystemSpec => {
  const sometimes = system.properties.filter((p) => p.kind === "sometimes")
  const note = always<unknown>("NotesWitnesses", (state) => {
    for (const property of sometimes) {
      if (!property.holds(state as never)) continue
      const states = witnesses.get(property.name) ?? new Set()
      states.add(fingerprint(state))
      witnesses.set(property.name, states)
    }
    return true
  })
  return { ...system, properties: [...system.properties, note] }
}

const figures = (result: CheckResult) => [result.result, result.violation?.property, result.violation?.path.actionIndices.length, result.distinctStates, result.maxDepth]

describe("partial-order reduction on every actor spec", () => {
  it("covers every spec written as actors, and leaves out only variants that are theirs", () => {
    expect(actorSpecs.map((spec) => spec.name).sort()).toEqual(Object.keys(small).sort())
    for (const [name, variants] of Object.entries(caughtOnlyByWalks)) {
      const known = actorSpecs.find((spec) => spec.name === name)?.variants.map((variant) => variant.name) ?? []
      expect(known).toEqual(expect.arrayContaining([...variants]))
    }
  })

  it("is on by default for the specs where bench:por measured it no slower, as check.md lists them", () => {
    expect(registry.filter((spec) => spec.partialOrderByDefault === true).map((spec) => spec.name).sort())
      .toEqual(["causal-broadcast", "dynamo-register", "paxos", "saga-choreography", "zk", "zk-lock"])
  })

  describe.each(actorSpecs.map((spec) => [spec.name, spec] as const))("%s", (_, spec) => {
    it.each(searchedVariants(spec))("variant %s is still caught, by a counterexample that replays", (variant) => {
      const model = modelOf(spec, { ...catching[spec.name]?.[variant], variant })
      const result = check(model, defaults)
      expect(result.result).toBe("violation")
      const { property, kind, path } = result.violation!
      const { steps, initial } = replay(model, path)
      const last = steps.at(-1)?.state ?? initial
      // An invariant is broken by the last state; a step property, by the last step.
      const invariant = model.properties.find((p) => p.name === property)
      const stepProperty = model.transitions?.find((p) => p.name === property)
      expect(invariant?.holds(last) ?? stepProperty!.holds(steps.at(-2)?.state ?? initial, last)).toBe(false)
      expect(buildTrace(model, { spec: spec.name, config: { variant }, property: { name: property, kind } }, path).steps).toHaveLength(path.actionIndices.length)
    }, LONG)

    it("the correct algorithm: the same verdict, states and depth, and each sometimes property reached in the same states", () => {
      const overrides = small[spec.name]!
      const withoutWitnesses = new Map<string, Set<bigint>>()
      const withWitnesses = new Map<string, Set<bigint>>()
      const without = check(modelOf(spec, overrides, witnessing(withoutWitnesses)), { strategy: "bfs" })
      const reduced = check(modelOf(spec, overrides, witnessing(withWitnesses)), defaults)
      expect(without.result).toBe("ok")
      expect(figures(reduced)).toEqual(figures(without))
      expect(reduced.reached.map((r) => r.property)).toEqual(without.reached.map((r) => r.property))
      expect(withWitnesses).toEqual(withoutWitnesses)
      expect(reduced.generatedStates + reduced.skippedTransitions!).toBe(without.generatedStates)
    })
  })
})

describe("partial-order reduction with symmetry", () => {
  const named = (name: string) => registry.find((spec) => spec.name === name)!

  it.each([
    ["the correct 2pc: the same orbits", "2pc", { participants: 2 }],
    ["2pc's no-durable-decision: caught as soon", "2pc", { variant: "no-durable-decision", participants: 2 }],
    ["the correct paxos, acceptors swapped: the same orbits", "paxos", { crashes: 0 }],
    ["paxos' forget-promise: caught as soon", "paxos", { variant: "forget-promise" }],
    ["paxos' ignore-accepted: caught as soon", "paxos", { variant: "ignore-accepted" }]
  ] as const)("%s", (_, name, overrides) => {
    const model = modelOf(named(name), overrides)
    const without = check(model, { strategy: "bfs", symmetry: true })
    const reduced = check(modelOf(named(name), overrides), { strategy: "bfs", symmetry: true, partialOrder: true })
    expect(figures(reduced).slice(0, 3)).toEqual(figures(without).slice(0, 3))
    if (without.result === "ok") expect(reduced.distinctStates).toBe(without.distinctStates)
    expect(reduced.skippedTransitions).toBeGreaterThan(0)
  })
})
