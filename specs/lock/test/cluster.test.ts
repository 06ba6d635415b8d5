import { describe, expect, it } from "vitest"
import { clientIds, leaseActor, fencedRecipe, zkActor, zkRecipe } from "../src/index.ts"

describe("a lock system's one actor", () => {
  const ctx = (self: string) => ({ self, nodes: ["redis", "resource", "c1", "c2"] })
  const lease = leaseActor({ clients: clientIds(2), ttl: 1, bugs: fencedRecipe, tickMs: 1 })

  it("starts as the service its id names, or as a client", () => {
    expect(lease.init(ctx("redis")).state.role).toBe("server")
    expect(lease.init(ctx("resource")).state.role).toBe("resource")
    expect(lease.init(ctx("c2")).state.role).toBe("client")
    expect(zkActor({ bugs: zkRecipe, clients: clientIds(1), sessionTimeoutMs: 0, resource: false }).init({ self: "zk", nodes: ["zk", "c1"] }).state.role).toBe("server")
  })

  it("refuses an id that names no role, listing the roles there are", () => {
    expect(() => lease.init(ctx("c3"))).toThrow("lock node c3 has no role: it is neither redis, resource nor a client")
    expect(() => zkActor({ bugs: zkRecipe, clients: clientIds(1), sessionTimeoutMs: 0, resource: false }).init({ self: "c2", nodes: ["zk", "c1", "c2"] })).toThrow(
      "zk-lock node c2 has no role: it is neither zk nor a client"
    )
  })

  it("a client keeps nothing durable and restarts afresh", () => {
    const client = lease.init(ctx("c1")).state
    expect(lease.durable(client)).toBeNull()
    expect(lease.recover(ctx("c1"), null)).toEqual(lease.init(ctx("c1")))
    const zk = zkActor({ bugs: zkRecipe, clients: clientIds(1), sessionTimeoutMs: 0, resource: false })
    expect(zk.durable(zk.init({ self: "c1", nodes: ["zk", "c1"] }).state)).toBeNull()
  })
})
