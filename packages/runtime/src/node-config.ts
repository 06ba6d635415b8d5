import type { AnyHostedSpec, NodeId, TimerRange } from "@parley/core"
import { Context } from "effect"
import type { NodeEntry } from "./cluster-file.ts"
import type { EventLogSettings } from "./event-log-format.ts"

/** Who this node is and what cluster it belongs to, as read from the cluster file. */
export class NodeConfig extends Context.Service<NodeConfig, {
  readonly self: NodeId
  readonly nodes: ReadonlyArray<NodeEntry>
  /** The cluster file the nodes came from, which the node re-reads for nodes added and removed since (address-book.ts); undefined for a cluster built in memory. */
  readonly clusterFile?: string | undefined
  readonly hosted: AnyHostedSpec
  /** The spec's options, decoded with its Schema. */
  readonly options: unknown
  readonly timers: Readonly<Record<string, TimerRange>>
  /** The known-buggy variant this node runs, if the cluster file names one. */
  readonly variant?: string | undefined
  /** Where the cluster file asks for an event log, its bounds; undefined: no log. */
  readonly eventLog?: EventLogSettings | undefined
}>()("@parley/runtime/NodeConfig") {}

export const entryOf = (nodes: ReadonlyArray<NodeEntry>, id: NodeId): NodeEntry | undefined => nodes.find((node) => node.id === id)
