/**
 * What the nemesis does to a cluster, as a service it is given: the local
 * cluster control of `parley cluster` (kill -9, restart, the transport's
 * partition, heal), and pauses with SIGSTOP and SIGCONT; with a namespace
 * network, partitions cut in the network itself instead. A test of another
 * kind of cluster gives its own.
 */
import type { NodeId } from "@parley/core"
import { agreedLeader, awaitLeader, clusterHeal, clusterKill, clusterPartition, clusterRestart, clusterStatus, ClusterControlError, livePid } from "@parley/runtime"
import type { Launcher, NamespaceNetwork } from "@parley/runtime"
import { Effect } from "effect"

export interface ClusterControl {
  readonly nodes: ReadonlyArray<NodeId>
  /** The node a majority names leader, else any that calls itself one, else undefined. */
  readonly leader: Effect.Effect<NodeId | undefined>
  kill(node: NodeId): Effect.Effect<void, ClusterControlError>
  /** Starts a node that is down, or kills and starts one that runs. */
  restart(node: NodeId): Effect.Effect<void, ClusterControlError>
  pause(node: NodeId): Effect.Effect<void, ClusterControlError>
  resume(node: NodeId): Effect.Effect<void, ClusterControlError>
  /** Where `partition` cuts: in the network between the nodes' namespaces, or in each node's transport (its sockets stay up). */
  readonly partitionLayer: PartitionLayer
  /** Cuts `isolated` off from the rest, both ways. */
  partition(isolated: ReadonlyArray<NodeId>): Effect.Effect<void, ClusterControlError>
  readonly heal: Effect.Effect<void, ClusterControlError>
  /** Lets every paused node go on: what a test does before it stops the cluster, whatever happened. */
  readonly resumeAll: Effect.Effect<void>
  /** Every fault undone (paused nodes continued, the partition healed, nodes that are down started), then waits for every node to answer and a majority to name a leader. */
  readonly recover: Effect.Effect<void, ClusterControlError>
}

export type PartitionLayer = "network" | "transport"

/** How long a cluster has to recover once every fault is undone, as `parley cluster up` gives one to start. */
const recoveryMs = 30_000

const signal = (pid: number, name: "SIGSTOP" | "SIGCONT") =>
  Effect.try({
    try: () => void process.kill(pid, name),
    catch: (error) => new ClusterControlError({ message: `cannot send ${name} to pid ${pid}: ${error instanceof Error ? error.message : String(error)}` })
  })

/** The control of a local cluster in `dir`, whose nodes `launcher` starts; partitions in `network` when the nodes live in one. */
export const localControl = (dir: string, nodes: ReadonlyArray<NodeId>, launcher: Launcher, network?: NamespaceNetwork): ClusterControl => {
  const paused = new Map<NodeId, number>()
  const resume = (node: NodeId) =>
    Effect.gen(function*() {
      const pid = paused.get(node)
      if (pid === undefined) return yield* new ClusterControlError({ message: `node ${node} is not paused` })
      paused.delete(node)
      yield* signal(pid, "SIGCONT")
    })
  const resumeAll = Effect.suspend(() => Effect.forEach([...paused.keys()], (node) => Effect.ignore(resume(node)), { discard: true }))
  return {
    nodes,
    leader: clusterStatus(dir).pipe(
      Effect.map((reports) => (agreedLeader(reports) ?? reports.find((report) => report.status?.["leader"] === report.id))?.id),
      Effect.orElseSucceed(() => undefined)
    ),
    kill: (node) => {
      paused.delete(node)
      return Effect.asVoid(clusterKill(dir, node))
    },
    restart: (node) => {
      paused.delete(node)
      return Effect.asVoid(clusterRestart(dir, node, launcher))
    },
    pause: (node) =>
      Effect.gen(function*() {
        const pid = livePid(dir, node)
        if (pid === undefined) return yield* new ClusterControlError({ message: `node ${node} is not running` })
        yield* signal(pid, "SIGSTOP")
        paused.set(node, pid)
      }),
    resume,
    partitionLayer: network === undefined ? "transport" : "network",
    partition: (isolated) => {
      if (network !== undefined) return network.cut(isolated)
      const rest = nodes.filter((node) => !isolated.includes(node))
      return Effect.asVoid(clusterPartition(dir, `${isolated.join(",")}/${rest.join(",")}`))
    },
    heal: network?.heal ?? Effect.asVoid(clusterHeal(dir)),
    resumeAll,
    recover: Effect.gen(function*() {
      yield* resumeAll
      yield* clusterHeal(dir)
      if (network !== undefined) yield* network.heal
      const down = nodes.filter((node) => livePid(dir, node) === undefined)
      yield* Effect.forEach(down, (node) => clusterRestart(dir, node, launcher), { discard: true })
      yield* awaitLeader(dir, recoveryMs, true)
    })
  }
}
