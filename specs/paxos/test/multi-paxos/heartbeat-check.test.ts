import { check, systemModel } from "@parley/checker"
import { defaultConfig } from "@parley/core"
import type { AnySystemSpec, ConfigValue } from "@parley/core"
import { describe, expect, it } from "vitest"
import { noBugs } from "../../src/bugs.ts"
import { MultiPaxos, multiPaxosSpec } from "../../src/index.ts"

/**
 * The reducer as a host runs it, heartbeat on: followers learn from the
 * leader's Commit, a lagging one is caught up with Learn (a snapshot first
 * when the leader's log no longer reaches back), a snapshot after every
 * slot, so one slot is enough to reach compaction. The default check leaves
 * the heartbeat off (see config.ts) because with it the search is far
 * larger: with one client, one slot and one ballot, 9,075 states within 12
 * steps and 889,758 within 20. So here it is checked to a depth, every
 * property of the default check holding in every state, and by seeded
 * random walks on the default check's bounds, crashes included.
 */
const withHeartbeats = (system: AnySystemSpec): AnySystemSpec => {
  const nodes = system.nodes.map((node) => node.id)
  const actor = MultiPaxos.multiPaxosActor({ nodes, bugs: noBugs, heartbeats: true, snapshotEvery: 1 })
  return { ...system, nodes: system.nodes.map((node) => ({ ...node, actor })) }
}

const modelOf = (overrides: Readonly<Record<string, ConfigValue>>) => {
  const built = multiPaxosSpec.build({ ...defaultConfig(multiPaxosSpec), ...overrides })
  if (built._tag !== "System") throw new Error("multi-paxos builds an actor system")
  return systemModel(withHeartbeats(built.system))
}

describe("multi-paxos with heartbeats", () => {
  it("holds every property in every state within 12 steps of one client's write", () => {
    const result = check(modelOf({ crashes: 0, clients: 1, maxBallot: 1, slots: 1 }), { strategy: "bfs", maxDepth: 12 })
    expect(result.violation).toBeUndefined()
    expect(result.distinctStates).toBe(9_075)
    expect(result.reached.map((r) => r.property)).toEqual(expect.arrayContaining(["CommandChosen", "ClientsFinished"]))
  })

  it("holds every property on 2,000 seeded random walks over the default bounds, crashes and leader changes included", () => {
    const result = check(modelOf({}), { strategy: "sim", walks: 2000, seed: 7, maxDepth: 60 })
    expect(result.violation).toBeUndefined()
    expect(result.reached.map((r) => r.property)).toEqual(expect.arrayContaining(["CommandChosen", "ClientsFinished", "ChosenDespiteRestart"]))
  })
})
