import type { ClientId, NodeId } from "@parley/core"
import { Context, Layer, Queue } from "effect"

/**
 * Everything the node's reducer is told, in the order it is told it. A
 * timer event carries the generation it was armed with: one re-armed or
 * cancelled after it fired, but before the loop took it, is stale.
 */
export type NodeEvent =
  | { readonly _tag: "Message"; readonly from: NodeId; readonly message: unknown }
  | { readonly _tag: "Timer"; readonly timer: unknown; readonly key: string; readonly generation: number }
  | { readonly _tag: "Request"; readonly client: ClientId; readonly request: unknown }

/** The node loop's one queue: transport, timers and the client API put events in; only the loop takes them out. */
export class Inbox extends Context.Service<Inbox, Queue.Queue<NodeEvent>>()("@parley/runtime/Inbox") {
  static readonly layer = Layer.effect(Inbox, Queue.unbounded<NodeEvent>())
}

export const offerEvent = (inbox: Queue.Queue<NodeEvent>, event: NodeEvent): void => {
  Queue.offerUnsafe(inbox, event)
}
