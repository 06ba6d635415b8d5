/**
 * Fault injection: the partition this node is told to keep. `parley cluster
 * partition` sets it on every node through the client API's admin route;
 * the runtime then drops every frame to or from a blocked node, whatever
 * the transport (peers.ts), until the next partition replaces the set.
 */
import type { NodeId } from "@parley/core"
import { Context, Effect, Layer } from "effect"

export class Faults extends Context.Service<Faults, {
  /** Drops all traffic to and from these nodes, until the next call replaces the set; `[]` heals. */
  partition(blocked: ReadonlyArray<NodeId>): void
  blocked(): ReadonlyArray<NodeId>
  /** Whether frames to and from `peer` pass. */
  reaches(peer: NodeId): boolean
}>()("@parley/runtime/Faults") {
  static readonly layer = Layer.effect(Faults, Effect.gen(function*() {
    const context = yield* Effect.context<never>()
    const blocked = new Set<NodeId>()
    return Faults.of({
      partition: (nodes) => {
        blocked.clear()
        for (const node of nodes) blocked.add(node)
        Effect.runForkWith(context)(Effect.logInfo("partition set").pipe(Effect.annotateLogs({ blocked: [...blocked].join(",") || "none" })))
      },
      blocked: () => [...blocked],
      reaches: (peer) => !blocked.has(peer)
    })
  }))
}
