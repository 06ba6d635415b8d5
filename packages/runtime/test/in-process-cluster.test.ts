/**
 * A whole three-node Raft cluster in this process, built the way `parley
 * node` builds one node (a cluster file, nodeConfigLayer, nodeLayer) with
 * only the storage and the transport swapped: once over a MemoryNetwork and
 * once over TCP on loopback, so both transports meet the same behaviour.
 */
import { Effect } from "effect"
import type { Layer } from "effect"
import { describe, expect, it } from "vitest"
import type { NodeEntry } from "../src/cluster-file.ts"
import type { NodeConfig } from "../src/node-config.ts"
import { MemoryNetwork } from "../src/transport/memory.ts"
import { tcpTransport } from "../src/transport/tcp.ts"
import type { Transport } from "../src/transport.ts"
import { agreedLeader, call, eventually, partition, run, startCluster, status } from "./in-process-harness.ts"

const put = (node: NodeEntry, key: string, value: string, timeoutMs = 5000) => call(node, "PUT", `/v1/kv/${key}?timeout=${timeoutMs}`, value)
const get = (node: NodeEntry, key: string) => call(node, "GET", `/v1/kv/${key}`)

const transports: ReadonlyArray<readonly [string, () => Layer.Layer<Transport, never, NodeConfig>]> = [
  ["a memory network", () => new MemoryNetwork().transport],
  ["TCP on loopback", () => tcpTransport]
]

describe.each(transports)("a raft cluster in one process over %s", (_, transport) => {
  it("elects a leader, and a write through a follower reads back through the other", () =>
    run(Effect.gen(function*() {
      const nodes = yield* startCluster(transport())
      const leader = yield* agreedLeader(nodes)
      const [writer, reader] = nodes.filter((node) => node.id !== leader.id)
      expect(yield* put(writer!, "greeting", "hello")).toEqual({ status: 200, body: { key: "greeting" } })
      expect(yield* get(reader!, "greeting")).toEqual({ status: 200, body: { key: "greeting", value: "hello" } })
    })), 60_000)

  it("a partitioned minority node cannot commit, and catches up after the partition heals", () =>
    run(Effect.gen(function*() {
      const nodes = yield* startCluster(transport())
      const leader = yield* agreedLeader(nodes)
      const cutOff = nodes.find((node) => node.id !== leader.id)!
      const majority = nodes.filter((node) => node !== cutOff)
      expect(yield* put(cutOff, "before", "1")).toMatchObject({ status: 200 })

      yield* partition(cutOff, majority.map((node) => node.id))
      for (const node of majority) yield* partition(node, [cutOff.id])
      const cutCommit = (yield* status(cutOff)).commitIndex
      expect(yield* put(cutOff, "during", "2", 1500)).toMatchObject({ status: 503 })
      expect(yield* put(leader, "after", "3")).toEqual({ status: 200, body: { key: "after" } })
      const leaderCommit = (yield* status(leader)).commitIndex
      expect(leaderCommit).toBeGreaterThan(cutCommit)
      expect(yield* status(cutOff)).toMatchObject({ commitIndex: cutCommit, blocked: majority.map((node) => node.id) })

      for (const node of nodes) yield* partition(node, [])
      yield* eventually("the cut-off node to apply what the majority committed", Effect.gen(function*() {
        const caughtUp = yield* status(cutOff)
        return caughtUp.appliedIndex >= leaderCommit ? caughtUp : undefined
      }))
      expect(yield* get(cutOff, "after")).toEqual({ status: 200, body: { key: "after", value: "3" } })
      expect(yield* get(cutOff, "during")).toMatchObject({ status: 404 })
    })), 60_000)
})
