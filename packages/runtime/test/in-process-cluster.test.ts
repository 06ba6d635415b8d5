/**
 * A whole three-node Raft cluster in this process, built the way `parley
 * node` builds one node (a cluster file, nodeConfigLayer, nodeLayer) with
 * only the storage and the transport swapped: once over a MemoryNetwork and
 * once over TCP on loopback, so both transports meet the same behaviour.
 */
import { raftHosted } from "@parley/raft"
import { Effect, Layer, References, Schema } from "effect"
import type { Scope } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { loopbackNodes } from "../src/cluster-file.ts"
import type { NodeEntry } from "../src/cluster-file.ts"
import { nodeConfigLayer, nodeLayer } from "../src/host.ts"
import type { NodeConfig } from "../src/node-config.ts"
import { freeBasePort } from "../src/ports.ts"
import { Storage } from "../src/storage.ts"
import { MemoryNetwork } from "../src/transport/memory.ts"
import { tcpTransport } from "../src/transport/tcp.ts"
import type { Transport } from "../src/transport.ts"

/** Timers ten times as fast as the defaults: elections settle in a second, even on a busy machine. */
const timers = {
  election: { minMs: 150, maxMs: 300 },
  heartbeat: { minMs: 30, maxMs: 30 },
  "check-quorum": { minMs: 300, maxMs: 300 }
}

interface Answer {
  readonly status: number
  readonly body: Record<string, unknown>
}

const call = (node: NodeEntry, method: string, path: string, body?: string) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(`http://${node.client}${path}`, {
      method,
      headers: { connection: "close" },
      signal: AbortSignal.timeout(10_000),
      ...(body === undefined ? {} : { body })
    })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  })

const put = (node: NodeEntry, key: string, value: string, timeoutMs = 5000) => call(node, "PUT", `/v1/kv/${key}?timeout=${timeoutMs}`, value)
const get = (node: NodeEntry, key: string) => call(node, "GET", `/v1/kv/${key}`)
const Status = Schema.Struct({
  id: Schema.String,
  role: Schema.String,
  term: Schema.Number,
  leader: Schema.NullOr(Schema.String),
  commitIndex: Schema.Number,
  appliedIndex: Schema.Number,
  blocked: Schema.Array(Schema.String)
})
const status = (node: NodeEntry) =>
  call(node, "GET", "/v1/status").pipe(Effect.flatMap((answer) => Schema.decodeUnknownEffect(Status)(answer.body)), Effect.orDie)
const partition = (node: NodeEntry, blocked: ReadonlyArray<string>) => call(node, "POST", "/v1/admin/partition", JSON.stringify({ blocked }))

/** Three raft nodes in this process, each with memory storage and the given transport; all stop when the scope closes. */
const startCluster = (transport: Layer.Layer<Transport, never, NodeConfig>) =>
  Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), "parley-in-process-"))),
      (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    )
    const nodes = loopbackNodes(yield* freeBasePort(3), 3)
    const clusterFile = join(dir, "cluster.json")
    writeFileSync(clusterFile, JSON.stringify({ spec: "raft", nodes, timers }))
    for (const node of nodes) {
      const config = nodeConfigLayer({ clusterFile, id: node.id, spec: "raft", dataDir: dir, logLevel: "Warn", hostedSpecs: [raftHosted] })
      yield* Layer.build(nodeLayer(Storage.memory({ value: undefined }), transport).pipe(Layer.provide(config))).pipe(
        Effect.annotateLogs({ node: node.id })
      )
    }
    return nodes
  })

/** Polls until `probe` gives a value, failing the test after `timeoutMs`. */
const eventually = <A>(what: string, probe: Effect.Effect<A | undefined>, timeoutMs = 10_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const value = yield* probe
      if (value !== undefined) return value
      yield* Effect.sleep(50)
    }
    return yield* Effect.die(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
  })

/** The leader a majority of these nodes name in the leader's own term. */
const agreedLeader = (nodes: ReadonlyArray<NodeEntry>) =>
  eventually("a leader a majority agrees on", Effect.gen(function*() {
    const reports = yield* Effect.forEach(nodes, status, { concurrency: "unbounded" })
    const leader = reports.find((report) => report.role === "leader")
    const followers = reports.filter((report) => report.leader === leader?.id && report.term === leader?.term)
    return leader !== undefined && followers.length > nodes.length / 2 ? nodes.find((node) => node.id === leader.id) : undefined
  }))

const run = <A>(test: Effect.Effect<A, unknown, Scope.Scope>) =>
  Effect.runPromise(test.pipe(Effect.scoped, Effect.timeout(50_000), Effect.provideService(References.MinimumLogLevel, "Warn")))

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
