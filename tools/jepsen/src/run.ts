/**
 * One test, start to finish: a cluster started (and always stopped, paused
 * nodes continued first), concurrent clients running the workload while
 * the nemesis injects faults, every fault undone and the cluster given time
 * to recover, a final operation per key (a final read, for the register),
 * and the history checked.
 */
import type { NodeId, SearchBudget } from "@parley/core"
import { seededRandom } from "@parley/history"
import type { AnyHistoryModel, CheckedHistory } from "@parley/history"
import { clusterAccess, clusterDown, clusterUp, loopbackNodes, namespaceNetwork } from "@parley/runtime"
import type { ClusterAccess, ClusterControlError, CredentialError, Launcher, NamespaceNetwork, NodeEntry } from "@parley/runtime"
import { Effect, Fiber, Result } from "effect"
import { checkRecords } from "./check.ts"
import { processClient } from "./client.ts"
import type { ClientTimeouts } from "./client.ts"
import { localControl } from "./control.ts"
import type { ClusterControl } from "./control.ts"
import { runNemesis } from "./nemesis.ts"
import type { NemesisTarget, NemesisTimings } from "./nemesis.ts"
import { Recorder } from "./recorder.ts"
import type { NemesisEvent, NemesisKind, TestRecord } from "./recorder.ts"
import type { ClusterClient, Invocation, Workload, WorkloadFactory } from "./workload.ts"

export interface TestOptions {
  readonly spec: string
  readonly variant: string | undefined
  readonly nodes: number
  readonly dir: string
  readonly basePort: number
  readonly launcher: Launcher
  /** Where the nodes live: on loopback, partitioned in their transport; or each in its own network namespace, partitioned in the network. */
  readonly net: "loopback" | "netns"
  /** The nodes serve their client API over HTTPS (certificates from a CA made in the cluster's directory), and the clients trust that CA alone. */
  readonly clientTls?: boolean
  readonly durationMs: number
  readonly clients: number
  readonly keys: number
  readonly nemesis: ReadonlyArray<NemesisKind>
  readonly timings: NemesisTimings
  readonly target: NemesisTarget
  readonly seed: number
  /** Operations a second over every client, roughly: each client waits a random time, on average clients/rate seconds, between its operations. */
  readonly ratePerSecond: number
  readonly workload: WorkloadFactory
  readonly timeouts: ClientTimeouts
  readonly budget: SearchBudget
  /** Told what happens as it happens: the cluster up, each fault, the check. */
  readonly progress: (line: string) => void
  /** Given each record of the history as it is made. */
  readonly onRecord?: (record: TestRecord) => void
}

export interface TestRun {
  readonly model: AnyHistoryModel
  readonly records: ReadonlyArray<TestRecord>
  readonly faults: ReadonlyArray<NemesisEvent>
  readonly checked: CheckedHistory
  /** Undefined when the cluster recovered from the faults; otherwise why not. */
  readonly unrecovered: string | undefined
  readonly nodes: ReadonlyArray<NodeEntry>
  readonly durationMs: number
}

interface Clients {
  readonly nodes: ReadonlyArray<NodeEntry>
  readonly access: ClusterAccess
  readonly runId: string
  readonly timeouts: ClientTimeouts
}

/** Process `process`'s client: its own session, talking to node `process mod n` first. */
const clientOf = (clients: Clients, process: number) =>
  processClient({
    nodes: clients.nodes,
    first: clients.nodes[process % clients.nodes.length]!.id,
    session: `${clients.runId}-p${process}`,
    access: clients.access,
    timeouts: clients.timeouts
  })

/** One operation of one process, through its client, recorded around the call; whether its outcome is known. */
const operate = (workload: Workload, recorder: Recorder, client: ClusterClient, process: number, operation: Invocation) =>
  Effect.gen(function*() {
    recorder.invoke(process, operation)
    const completion = yield* Effect.promise(() => workload.perform(client, operation))
    recorder.complete(process, operation, completion)
    return completion.type !== "info"
  })

/** What every client loop shares. */
interface Workers {
  readonly workload: Workload
  readonly recorder: Recorder
  readonly clients: Clients
  readonly count: number
  readonly endAt: number
  readonly meanPauseMs: number
}

/**
 * Client `slot`'s loop until `endAt`: process `slot` first; after an
 * operation of unknown outcome the process is retired (the operation may
 * still be running) and the slot goes on as process `slot + count`, as
 * Jepsen's workers do.
 */
const clientLoop = (workers: Workers, slot: number, random: () => number) =>
  Effect.gen(function*() {
    const { workload, recorder, clients, count, endAt, meanPauseMs } = workers
    let process = slot
    let client = clientOf(clients, process)
    while (Date.now() < endAt) {
      yield* Effect.sleep(random() * 2 * meanPauseMs)
      if (Date.now() >= endAt) return process
      const known = yield* operate(workload, recorder, client, process, workload.next(random))
      if (!known) {
        process += count
        client = clientOf(clients, process)
      }
    }
    return process
  })

/** How often a running test says how far it has got. */
const progressEveryMs = 10_000

/** A line every 10 s: the time and the operations completed so far. */
const reportProgress = (recorder: Recorder, progress: (line: string) => void) =>
  Effect.forever(
    Effect.sleep(progressEveryMs).pipe(Effect.andThen(Effect.sync(() => {
      const { ok, fail, info } = recorder.completed
      progress(`${(recorder.now() / 1000).toFixed(1)} s  ${ok + fail + info} operations: ${ok} ok, ${fail} failed, ${info} unknown`)
    })))
  )

type UseCluster<A, E> = (control: ClusterControl, nodes: ReadonlyArray<NodeEntry>) => Effect.Effect<A, E>

const clusterIn = <A, E>(options: TestOptions, network: NamespaceNetwork | undefined, use: UseCluster<A, E>) => {
  const launcher = network?.launcher(options.launcher) ?? options.launcher
  return Effect.acquireUseRelease(
    clusterUp({
      spec: options.spec,
      nodes: options.nodes,
      dir: options.dir,
      basePort: options.basePort,
      launcher,
      ...(options.variant === undefined ? {} : { variant: options.variant }),
      ...(options.clientTls === true ? { clientTls: true } : {}),
      ...(network === undefined ? {} : { nodeHosts: network.hosts })
    }).pipe(Effect.onError(() => Effect.ignore(clusterDown(options.dir)))), // nodes it started before it failed
    ({ reports }) => {
      const nodes: ReadonlyArray<NodeId> = reports.map((report) => report.id)
      const entries = reports.map((report) => ({ id: report.id, client: report.client, peer: report.peer }))
      return use(localControl(options.dir, nodes, launcher, network), entries)
    },
    // The control's paused nodes are continued in `use`, whatever happens; a stopped process would ignore SIGTERM.
    () => Effect.ignore(clusterDown(options.dir))
  )
}

/** The ids `clusterUp` gives the nodes. */
const nodeIds = (options: TestOptions): ReadonlyArray<NodeId> => loopbackNodes(options.basePort, options.nodes).map((node) => node.id)

/** The cluster up for `use`, and down after; with `net: "netns"`, inside a namespace network made first and removed last. */
const withCluster = <A, E>(options: TestOptions, use: UseCluster<A, E>) =>
  options.net === "loopback"
    ? clusterIn(options, undefined, use)
    : Effect.scoped(Effect.flatMap(namespaceNetwork(nodeIds(options)), (network) => {
      options.progress(`network namespaces: each node in its own, on ${network.subnet}; partitions cut in the network`)
      return clusterIn(options, network, use)
    }))

export const runTest = (options: TestOptions): Effect.Effect<TestRun, ClusterControlError | CredentialError> =>
  withCluster(options, (control, nodes) =>
    Effect.gen(function*() {
      const started = Date.now()
      const recorder = new Recorder(
        (event) => options.progress(`${(event.time / 1000).toFixed(1)} s  ${event.phase === "error" ? "FAILED " : ""}${event.description}`),
        options.onRecord
      )
      const workload = options.workload.make({ keys: options.keys })
      const access = yield* Effect.fromResult(clusterAccess(options.dir))
      const clients: Clients = { nodes, access, runId: `t${options.seed.toString(36)}x${started.toString(36)}`, timeouts: options.timeouts }
      const endAt = started + options.durationMs
      const meanPauseMs = (1000 * options.clients) / options.ratePerSecond
      const over = access.caFile === undefined ? "" : ` over HTTPS, trusting ${access.caFile}`
      options.progress(`${options.spec} cluster of ${nodes.length} up in ${options.dir}; ${options.clients} clients${over} for ${options.durationMs / 1000} s, nemesis ${options.nemesis.join(",") || "none"}`)

      // Scoped, not children: stopped when the test body ends, before the cluster (and its network) goes, even on Ctrl-C.
      const ticker = yield* Effect.forkScoped(reportProgress(recorder, options.progress))
      const nemesis = yield* Effect.forkScoped(runNemesis(control, recorder, seededRandom(options.seed ^ 0x5bd1e995), { kinds: options.nemesis, timings: options.timings, target: options.target, endAt }))
      const slots = Array.from({ length: options.clients }, (_, slot) => slot)
      const workers: Workers = { workload, recorder, clients, count: options.clients, endAt, meanPauseMs }
      const lastProcesses = yield* Effect.forEach(slots, (slot) => clientLoop(workers, slot, seededRandom(options.seed + 7919 * (slot + 1))), { concurrency: "unbounded" })
      yield* Fiber.join(nemesis)
      yield* Fiber.interrupt(ticker)

      options.progress("faults over; waiting for the cluster to recover")
      const recovery = yield* Effect.result(control.recover)
      const unrecovered = Result.isFailure(recovery) ? recovery.failure.message : undefined
      if (unrecovered === undefined) {
        const firstFinal = Math.max(...lastProcesses) + 1
        yield* Effect.forEach(workload.finalOperations(), (operation, index) => operate(workload, recorder, clientOf(clients, firstFinal + index), firstFinal + index, operation), {
          concurrency: options.clients,
          discard: true
        })
      }
      yield* control.resumeAll
      const durationMs = Date.now() - started
      options.progress(`checking ${recorder.records.length} records`)
      const checked = checkRecords(workload.model, recorder.records, options.budget)
      if (Result.isFailure(checked)) return yield* Effect.die(new Error(`the recorded history does not read back: ${checked.failure}`))
      return { model: workload.model, records: recorder.records, faults: recorder.faults, checked: checked.success, unrecovered, nodes, durationMs }
    }).pipe(Effect.scoped, Effect.ensuring(control.resumeAll)))
