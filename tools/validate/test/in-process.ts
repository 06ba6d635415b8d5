/**
 * Raft clusters in this process for validate's tests: three nodes built as
 * `parley node` builds one (cluster file, nodeConfigLayer, nodeLayer) over
 * a MemoryNetwork, each with memory storage and an event log in a
 * temporary directory. A node can be given its own hosted spec (a doctored
 * reducer), crashed (its scope closed, its storage kept) and started again.
 */
import type { AnyHostedSpec, NodeId } from "@parley/core"
import { raftHosted } from "@parley/raft"
import type { RaftState } from "@parley/raft"
import type { EventLogSettings } from "@parley/runtime"
import { defaultEventLog, ensureCredentials, EventLog, freeBasePort, loopbackNodes, MemoryNetwork, Node, nodeConfigLayer, nodeLayer, Storage } from "@parley/runtime"
import { Context, Effect, Exit, Layer, Option, Scope } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const fastTimers = {
  election: { minMs: 150, maxMs: 300 },
  heartbeat: { minMs: 30, maxMs: 30 },
  "check-quorum": { minMs: 300, maxMs: 300 }
}

interface Running {
  readonly scope: Scope.Closeable
  readonly node: Node["Service"]
}

export interface TestCluster {
  readonly dir: string
  readonly ids: ReadonlyArray<NodeId>
  start(id: NodeId): Effect.Effect<void>
  crash(id: NodeId): Effect.Effect<void>
  /** Crashes every node that runs: the end of the test run. */
  readonly stop: Effect.Effect<void>
  /** The node every running node names leader, once they agree. */
  readonly leader: Effect.Effect<NodeId>
  put(via: NodeId, client: string, seq: number, key: string, value: string): Effect.Effect<unknown>
}

const isRaftState = (state: unknown): state is RaftState => typeof state === "object" && state !== null && "role" in state && "leader" in state

/** Three raft nodes, all started; `hostedOf` picks each node's hosted spec (raft's own by default). */
export const inProcessCluster = (
  hostedOf: (id: NodeId) => AnyHostedSpec = () => raftHosted,
  eventLog: EventLogSettings = defaultEventLog,
  eventsDir?: string
) =>
  Effect.gen(function*() {
    const dir = mkdtempSync(join(tmpdir(), "parley-validate-"))
    const nodes = loopbackNodes(yield* freeBasePort(3), 3)
    const clusterFile = join(dir, "cluster.json")
    writeFileSync(clusterFile, JSON.stringify({ spec: "raft", nodes, timers: fastTimers, eventLog }))
    yield* Effect.orDie(ensureCredentials(dir))
    const network = new MemoryNetwork()
    const cells = new Map<NodeId, { value: unknown }>(nodes.map((node) => [node.id, { value: undefined }]))
    const running = new Map<NodeId, Running>()

    const start = (id: NodeId) =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const config = nodeConfigLayer({ clusterFile, id, spec: "raft", dataDir: dir, logLevel: "Warn", hostedSpecs: [hostedOf(id)] })
        const layer = nodeLayer(Storage.memory(cells.get(id)!), network.transport, EventLog.files(eventsDir ?? join(dir, "events"), eventLog)).pipe(Layer.provide(config))
        const services = yield* Layer.buildWithScope(layer, scope).pipe(Effect.orDie)
        running.set(id, { scope, node: Context.get(services, Node) })
      })
    const crash = (id: NodeId) =>
      Effect.gen(function*() {
        const node = running.get(id)
        if (node === undefined) return
        running.delete(id)
        yield* Scope.close(node.scope, Exit.void)
      })
    const leader = Effect.gen(function*() {
      const deadline = Date.now() + 20_000
      while (Date.now() < deadline) {
        const named = [...running.values()].map(({ node }) => {
          const state = node.state()
          return isRaftState(state) ? state.leader : null
        })
        if (named.length > 0 && named[0] !== null && named.every((leader) => leader === named[0])) return named[0]!
        yield* Effect.sleep(50)
      }
      return yield* Effect.die(new Error("no leader agreed within 20 s"))
    })
    for (const node of nodes) yield* start(node.id)
    return {
      dir,
      ids: nodes.map((node) => node.id),
      start,
      crash,
      stop: Effect.forEach([...running.keys()], crash, { discard: true }),
      leader,
      put: (via, client, seq, key, value) =>
        Effect.gen(function*() {
          const answer = yield* running.get(via)!.node.submit(client, seq, { seq, op: { _tag: "Put", key, value } }, 5000)
          return Option.getOrUndefined(answer)
        })
    } satisfies TestCluster
  })
