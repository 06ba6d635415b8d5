/**
 * Raft clusters in this process for validate's tests: three nodes built as
 * `parley node` builds one (cluster file, nodeConfigLayer, nodeLayer) over
 * a MemoryNetwork, each with memory storage and an event log in a
 * temporary directory. A node can be given its own hosted spec (a doctored
 * reducer), crashed (its scope closed, its storage kept) and started again,
 * or killed as a kill -9 kills it between a batch's save and its log write.
 */
import type { AnyHostedSpec, NodeId, Step } from "@parley/core"
import { raftHosted } from "@parley/raft"
import type { RaftState } from "@parley/raft"
import type { EventLogSettings, StepInput } from "@parley/runtime"
import { defaultEventLog, ensureCredentials, EventLog, freeBasePort, holdsBack, loopbackNodes, MemoryNetwork, Node, nodeConfigLayer, nodeLayer, Storage } from "@parley/runtime"
import { Context, Effect, Exit, Layer, Option, Scope } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const fastTimers = {
  election: { minMs: 150, maxMs: 300 },
  heartbeat: { minMs: 30, maxMs: 30 },
  "check-quorum": { minMs: 300, maxMs: 300 }
}

/** Picks what a node's log loses: the steps it holds when it would write (the last batch, and any held back before it). */
export type LossTrap = (batch: ReadonlyArray<{ readonly input: StepInput; readonly step: Step<unknown, unknown, unknown, unknown> }>) => boolean

/**
 * `inner`, holding back steps as a log does (`holdsBack`), but a write that
 * `trap` picks (of everything held) writes nothing and throws, which ends
 * the node loop there: after the batch's save and outputs, before its log
 * write, as a kill -9 in that window would, losing every step held. The
 * node is dead until crashed and started again. A crash (the node's scope
 * closed) writes what is held, as closing the log does. `inner` takes what
 * is held at once, as one batch: one durable digest for it, of the state
 * after its last step, which the node saved (a log's digests are a subset
 * of its batches' ends, as validate reads them).
 */
const losingLog = <R>(inner: Layer.Layer<EventLog, never, R>, trap: { current: LossTrap | undefined; fired: boolean }) =>
  Layer.effect(EventLog, Effect.gen(function*() {
    const log = yield* EventLog
    return EventLog.of({
      open: (actor, context) =>
        Effect.gen(function*() {
          const steps = yield* log.open(actor, context)
          let held: Array<{ readonly at: number; readonly input: StepInput; readonly step: Step<unknown, unknown, unknown, unknown> }> = []
          const pass = (): void => {
            for (const { input, step } of held) steps.record(input, step)
            held = []
          }
          const write = (settling: boolean): void => {
            if (trap.current?.(held) === true) {
              trap.current = undefined
              trap.fired = true
              held = []
              throw new Error("killed by the test between the batch's save and its log write")
            }
            if (settling && holdsBack(held, Date.now())) return
            pass()
            steps.flush()
          }
          // Runs before the inner log's own close, which writes what it was handed.
          yield* Effect.addFinalizer(() => Effect.sync(pass))
          return {
            record: (input, step) => {
              held.push({ at: Date.now(), input, step })
            },
            flush: () => write(false),
            settle: () => write(true)
          }
        })
    })
  })).pipe(Layer.provide(inner))

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
  /** Arms `id`'s log to lose the first batch `trap` picks, and kill the node there; the effect waits until it has. */
  loseBatch(id: NodeId, trap: LossTrap): { readonly fired: Effect.Effect<void> }
  /** Changes what `id` has saved (a storage that makes up state). */
  tamper(id: NodeId, change: (durable: unknown) => unknown): void
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
    const traps = new Map<NodeId, { current: LossTrap | undefined; fired: boolean }>(nodes.map((node) => [node.id, { current: undefined, fired: false }]))

    const start = (id: NodeId) =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const config = nodeConfigLayer({ clusterFile, id, spec: "raft", dataDir: dir, logLevel: "Warn", hostedSpecs: [hostedOf(id)] })
        const events = losingLog(EventLog.files(eventsDir ?? join(dir, "events"), eventLog), traps.get(id)!)
        const layer = nodeLayer(Storage.memory(cells.get(id)!), network.transport, events).pipe(Layer.provide(config))
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
        }),
      loseBatch: (id, trap) => {
        const armed = traps.get(id)!
        armed.current = trap
        armed.fired = false
        const fired: Effect.Effect<void> = Effect.gen(function*() {
          const deadline = Date.now() + 20_000
          while (!armed.fired && Date.now() < deadline) yield* Effect.sleep(20)
          if (!armed.fired) return yield* Effect.die(new Error(`${id} never took a batch the trap picks within 20 s`))
        })
        return { fired }
      },
      tamper: (id, change) => {
        const cell = cells.get(id)!
        cell.value = change(cell.value)
      }
    } satisfies TestCluster
  })
