/**
 * Whole Raft clusters in this process, for tests: built the way `parley
 * node` builds one node (a cluster file with its secret and client token
 * beside it, nodeConfigLayer, nodeLayer) with only the storage and the
 * transport swapped, and the HTTP calls the tests make of them.
 */
import { raftHosted } from "@parley/raft"
import { Effect, Layer, References, Schema } from "effect"
import type { Scope } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { loopbackNodes } from "../src/cluster-file.ts"
import type { NodeEntry } from "../src/cluster-file.ts"
import { ensureCredentials } from "../src/credentials.ts"
import type { PeerKey } from "../src/credentials.ts"
import { nodeConfigLayer, nodeLayer } from "../src/host.ts"
import type { AddressBook } from "../src/address-book.ts"
import type { NodeMetrics } from "../src/metrics.ts"
import type { NodeConfig } from "../src/node-config.ts"
import { freeBasePort } from "../src/ports.ts"
import { Storage } from "../src/storage.ts"
import type { Transport } from "../src/transport.ts"

/** What a transport may ask of the node it links. */
export type TransportLayer = Layer.Layer<Transport, never, NodeConfig | PeerKey | NodeMetrics | AddressBook>

/** Timers ten times as fast as the defaults: elections settle in a second, even on a busy machine. */
export const fastTimers = {
  election: { minMs: 150, maxMs: 300 },
  heartbeat: { minMs: 30, maxMs: 30 },
  "check-quorum": { minMs: 300, maxMs: 300 }
}

export interface Answer {
  readonly status: number
  readonly body: Record<string, unknown>
}

export const call = (node: NodeEntry, method: string, path: string, body?: string, headers: Readonly<Record<string, string>> = {}) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(`http://${node.client}${path}`, {
      method,
      headers: { connection: "close", ...headers },
      signal: AbortSignal.timeout(10_000),
      ...(body === undefined ? {} : { body })
    })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  })

export const put = (node: NodeEntry, key: string, value: string, timeoutMs = 5000) => call(node, "PUT", `/v1/kv/${key}?timeout=${timeoutMs}`, value)
export const get = (node: NodeEntry, key: string) => call(node, "GET", `/v1/kv/${key}`)
const Status = Schema.Struct({
  id: Schema.String,
  role: Schema.String,
  term: Schema.Number,
  leader: Schema.NullOr(Schema.String),
  commitIndex: Schema.Number,
  appliedIndex: Schema.Number,
  sessions: Schema.Number,
  forwarding: Schema.Number,
  blocked: Schema.Array(Schema.String)
})
export const status = (node: NodeEntry) =>
  call(node, "GET", "/v1/status").pipe(Effect.flatMap((answer) => Schema.decodeUnknownEffect(Status)(answer.body)), Effect.orDie)
export const partition = (node: NodeEntry, blocked: ReadonlyArray<string>) => call(node, "POST", "/v1/admin/partition", JSON.stringify({ blocked }))

export interface InProcessCluster {
  readonly dir: string
  readonly nodes: ReadonlyArray<NodeEntry>
}

export interface ClusterSetup {
  readonly timers?: Readonly<Record<string, { readonly minMs: number; readonly maxMs: number }>>
  /** The cluster file's options for the spec. */
  readonly options?: Readonly<Record<string, unknown>>
  readonly requireClientToken?: boolean
  /** A node given a secret of its own instead of the cluster's, as a misconfigured node would have. */
  readonly stranger?: string
}

/** Three raft nodes in this process, each with memory storage and the given transport; all stop when the scope closes. */
export const startCluster = (transport: TransportLayer, setup: ClusterSetup = {}) =>
  Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), "parley-in-process-"))),
      (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    )
    const nodes = loopbackNodes(yield* freeBasePort(3), 3)
    const clusterFile = join(dir, "cluster.json")
    writeFileSync(clusterFile, JSON.stringify({
      spec: "raft",
      nodes,
      timers: setup.timers ?? fastTimers,
      options: setup.options ?? {},
      ...(setup.requireClientToken === undefined ? {} : { requireClientToken: setup.requireClientToken })
    }))
    yield* Effect.orDie(ensureCredentials(dir))
    const strangerSecret = join(dir, "stranger.secret")
    writeFileSync(strangerSecret, "cd".repeat(32), { mode: 0o600 })
    for (const node of nodes) {
      const config = nodeConfigLayer({
        clusterFile,
        id: node.id,
        spec: "raft",
        dataDir: dir,
        logLevel: "Warn",
        hostedSpecs: [raftHosted],
        ...(node.id === setup.stranger ? { secretFile: strangerSecret } : {})
      })
      yield* Layer.build(nodeLayer(Storage.memory({ value: undefined }), transport).pipe(Layer.provide(config))).pipe(
        Effect.annotateLogs({ node: node.id })
      )
    }
    return { dir, nodes } satisfies InProcessCluster
  })

/** Polls until `probe` gives a value, failing the test after `timeoutMs`. */
export const eventually = <A>(what: string, probe: Effect.Effect<A | undefined>, timeoutMs = 10_000) =>
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
export const agreedLeader = (nodes: ReadonlyArray<NodeEntry>) =>
  eventually("a leader a majority agrees on", Effect.gen(function*() {
    const reports = yield* Effect.forEach(nodes, status, { concurrency: "unbounded" })
    const leader = reports.find((report) => report.role === "leader")
    const followers = reports.filter((report) => report.leader === leader?.id && report.term === leader?.term)
    return leader !== undefined && followers.length > nodes.length / 2 ? nodes.find((node) => node.id === leader.id) : undefined
  }))

export const run = <A>(test: Effect.Effect<A, unknown, Scope.Scope>, timeoutMs = 50_000) =>
  Effect.runPromise(test.pipe(Effect.scoped, Effect.timeout(timeoutMs), Effect.provideService(References.MinimumLogLevel, "Warn")))
