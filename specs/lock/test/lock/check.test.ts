import { check, systemModel } from "@parley/checker"
import { expectCaught, expectHolds } from "@parley/checker/testing"
import { defaultConfig } from "@parley/core"
import { describe, expect, it } from "vitest"
import { lockSpec } from "../../src/index.ts"

type ClientLane = { readonly phase?: string; readonly token?: number | null }
type ServerLane = { readonly lock?: string | null }
type ResourceLane = { readonly lock?: { readonly writes: ReadonlyArray<string> } }

const everyWitness = ["LeaseRanOutWhileHeld", "TwoBelieveHeld", "StaleWriteFenced", "LeaseRenewed", "EveryClientDone"]

describe("lock (fenced), checked exhaustively", () => {
  it.each([
    // overrides, distinct states
    [{}, 21_227],
    [{ network: "ordered" }, 14_759],
    [{ ttl: 2, "max-time": 4 }, 39_013]
  ] as const)("%j: no stale write and no foreign release in all %i states, every sometimes reached", (overrides, states) => {
    expectHolds(lockSpec, overrides, { states, reached: everyWitness })
  })
})

describe("lock's unsafe recipes, each caught", () => {
  it("naive: a client paused past its lease writes after the next holder did, each believing it holds the lock", () => {
    const { trace } = expectCaught(lockSpec, { variant: "naive" }, { property: "NoStaleWrite", depth: 9 })
    const steps = trace().steps
    expect(steps.map((s) => s.action)).toContain("redis timer tick")
    const last = steps.at(-1)!.lanes
    expect((last["resource"] as ResourceLane).lock?.writes).toEqual(["c2:2", "c1:1"])
    expect([(last["c1"] as ClientLane).phase, (last["c2"] as ClientLane).phase]).toEqual(["writing", "writing"])
  })

  it("naive: its GET-then-DEL release also deletes another client's lock", () => {
    // With the state properties (NoStaleWrite first) set aside, the step property ReleaseOnlyOwnLock is the one broken.
    expectCaught(lockSpec, { variant: "naive" }, {
      property: "ReleaseOnlyOwnLock",
      depth: 10,
      adjust: (system) => ({ ...system, properties: [] })
    })
  })

  it("get-then-del: the lease expires between GET and DEL, c2 acquires, and c1's DEL deletes c2's lock", () => {
    const { trace } = expectCaught(lockSpec, { variant: "get-then-del" }, { property: "ReleaseOnlyOwnLock", depth: 10 })
    const actions = trace().steps.map((s) => s.action)
    expect(actions.slice(-4)).toEqual(["c1 receives token 1 from redis", "redis timer tick", "redis receives SET lock NX PX from c2", "redis receives DEL lock from c1"])
  })

  it("unfenced: tokens, renewal and an atomic release do not help if the resource does not compare tokens", () => {
    const { trace } = expectCaught(lockSpec, { variant: "unfenced" }, { property: "NoStaleWrite", depth: 9 })
    expect((trace().steps.at(-1)!.lanes["redis"] as ServerLane).lock).toBe("c2 token 2 until 2")
  })
})

describe("lock on a duplicating network, where a delivered message stays in flight", () => {
  // Exhausting it takes millions of states (every message can arrive again), so the correct recipe is claimed to depth 12.
  it("the fenced recipe breaks no property to depth 12: a release is matched to its sender though its message stays", () => {
    const built = lockSpec.build({ ...defaultConfig(lockSpec), network: "duplicating" })
    if (built._tag !== "System") throw new Error("lock is an actor system")
    const result = check(systemModel(built.system), { strategy: "bfs", maxDepth: 12 })
    expect(result.violation).toBeUndefined()
    expect(result.distinctStates).toBeGreaterThan(10_000)
  })

  it("get-then-del: c1's DEL of c2's lock is still caught, at the same depth as on the unordered network", () => {
    expectCaught(lockSpec, { variant: "get-then-del", network: "duplicating" }, { property: "ReleaseOnlyOwnLock", depth: 10 })
  })
})
