/**
 * Memory that stays flat under a load that names a new client for every
 * operation: sessions end by the log's time, and the way back for a
 * forwarded request is dropped once it is answered.
 */
import { kvPath } from "@parley/kv"
import { sessionSweepEvery } from "@parley/raft"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { MemoryNetwork } from "../src/transport/memory.ts"
import { agreedLeader, call, run, startCluster, status } from "./in-process-harness.ts"

const expiryMs = 200
const rounds = 4
const perRound = 300

describe("a raft cluster under a load of many client ids", () => {
  it("keeps its sessions and forwarding records bounded", () =>
    run(Effect.gen(function*() {
      const { nodes } = yield* startCluster(new MemoryNetwork().transport, { options: { sessionExpiryMs: expiryMs } })
      const leader = yield* agreedLeader(nodes)
      const follower = nodes.find((node) => node.id !== leader.id)!
      const most = new Map<string, number>()
      for (let round = 0; round < rounds; round++) {
        yield* Effect.forEach(Array.from({ length: perRound }, (_, i) => round * perRound + i), (i) =>
          call(follower, "PUT", kvPath(`k${i % 10}`), `${i}`, { "parley-client": `one-off-${i}`, "parley-seq": "1" }).pipe(
            Effect.tap((answer) => Effect.sync(() => expect(answer.status).toBe(200)))
          ), { concurrency: 8, discard: true })
        for (const report of yield* Effect.forEach(nodes, status)) most.set(report.id, Math.max(most.get(report.id) ?? 0, report.sessions))
        // Longer than the bound: the next round's sweeps end every session of this one.
        yield* Effect.sleep(expiryMs + 100)
      }
      // Each node kept at most a round's sessions and one sweep interval more, of the 1200 clients it served.
      for (const [, sessions] of most) expect(sessions).toBeLessThanOrEqual(perRound + sessionSweepEvery)
      expect([...most.values()].every((sessions) => sessions > 0)).toBe(true)
      // Every forwarded request was answered, and its way back dropped.
      for (const report of yield* Effect.forEach(nodes, status)) expect(report.forwarding).toBe(0)
    }), 120_000), 120_000)
})
