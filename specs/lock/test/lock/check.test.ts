import { explore } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { lockSpec } from "../../src/index.ts"

type ClientLane = { readonly phase?: string; readonly token?: number | null }
type ServerLane = { readonly lock?: string | null }
type ResourceLane = { readonly writes?: ReadonlyArray<string> }

describe("lock (fenced), checked exhaustively", () => {
  it.each([
    // overrides, distinct states
    [{}, 21_227],
    [{ network: "ordered" }, 14_759],
    [{ ttl: 2, "max-time": 4 }, 39_013]
  ] as const)("%j: no stale write and no foreign release in all %i states, every sometimes reached", (overrides, states) => {
    const { result } = explore(lockSpec, overrides)
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
    expect(result.reached.map((r) => r.property)).toEqual(
      expect.arrayContaining(["LeaseRanOutWhileHeld", "TwoBelieveHeld", "StaleWriteFenced", "LeaseRenewed", "EveryClientDone"])
    )
    expect(result.distinctStates).toBe(states)
  })
})

describe("lock's unsafe recipes, each caught", () => {
  it("naive: a client paused past its lease writes after the next holder did, each believing it holds the lock", () => {
    const { result, trace } = explore(lockSpec, { variant: "naive" })
    expect(result.violation).toMatchObject({ property: "NoStaleWrite", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(9)
    const steps = trace().steps
    expect(steps.map((s) => s.action)).toContain("redis timer tick")
    const last = steps.at(-1)!.lanes
    expect((last["resource"] as ResourceLane).writes).toEqual(["c2:2", "c1:1"])
    expect([(last["c1"] as ClientLane).phase, (last["c2"] as ClientLane).phase]).toEqual(["writing", "writing"])
  })

  it("naive: its GET-then-DEL release also deletes another client's lock", () => {
    const { result } = explore(lockSpec, { variant: "naive" }, { adjust: (system) => ({ ...system, properties: [] }) })
    expect(result.violation).toMatchObject({ property: "ReleaseOnlyOwnLock", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(10)
  })

  it("get-then-del: the lease expires between GET and DEL, c2 acquires, and c1's DEL deletes c2's lock", () => {
    const { result, trace } = explore(lockSpec, { variant: "get-then-del" })
    expect(result.violation).toMatchObject({ property: "ReleaseOnlyOwnLock", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(10)
    const actions = trace().steps.map((s) => s.action)
    expect(actions.slice(-4)).toEqual(["c1 receives token 1 from redis", "redis timer tick", "redis receives SET lock NX PX from c2", "redis receives DEL lock from c1"])
  })

  it("unfenced: tokens, renewal and an atomic release do not help if the resource does not compare tokens", () => {
    const { result, trace } = explore(lockSpec, { variant: "unfenced" })
    expect(result.violation).toMatchObject({ property: "NoStaleWrite", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(9)
    expect((trace().steps.at(-1)!.lanes["redis"] as ServerLane).lock).toBe("c2 token 2 until 2")
  })
})
