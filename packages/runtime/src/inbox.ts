import type { ClientId, NodeId } from "@parley/core"
import { Context, Layer } from "effect"

/**
 * Everything the node's reducer is told, in the order it is told it. A
 * timer event carries the generation it was armed with: one re-armed or
 * cancelled after it fired, but before the loop took it, is stale.
 */
export type NodeEvent =
  | { readonly _tag: "Message"; readonly from: NodeId; readonly message: unknown }
  | { readonly _tag: "Timer"; readonly timer: unknown; readonly key: string; readonly generation: number }
  | { readonly _tag: "Request"; readonly client: ClientId; readonly request: unknown }

/**
 * The events waiting for the node loop, in the order offered. A plain
 * array and a wake-up call rather than an Effect queue: every message,
 * timer and request of a node passes here, and at one writer the fiber
 * hops of a queue and a taker were a measurable part of each write's CPU
 * (node.ts says how the loop is woken).
 */
export class EventQueue {
  private events: Array<NodeEvent> = []
  private wake: () => void = () => {}

  offer(event: NodeEvent): void {
    this.events.push(event)
    if (this.events.length === 1) this.wake()
  }

  /** Every waiting event, oldest first; the queue is left empty. */
  takeAll(): ReadonlyArray<NodeEvent> {
    const events = this.events
    this.events = []
    return events
  }

  get size(): number {
    return this.events.length
  }

  /** `wake` is called whenever an event arrives in an empty queue: the loop's signal that there is work. */
  onArrival(wake: () => void): void {
    this.wake = wake
  }
}

/** The node loop's one queue: transport, timers and the client API put events in; only the loop takes them out. */
export class Inbox extends Context.Service<Inbox, EventQueue>()("@parley/runtime/Inbox") {
  static readonly layer = Layer.sync(Inbox, () => new EventQueue())
}

export const offerEvent = (inbox: EventQueue, event: NodeEvent): void => inbox.offer(event)
