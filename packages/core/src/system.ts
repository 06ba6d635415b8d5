import type { Actor, ClientId, NodeId } from "./actor.ts"
import type { Client, HistoryEvent } from "./client.ts"
import type { Property, TransitionProperty } from "./property.ts"
import type { Bag, SetOf } from "./unordered.ts"

/**
 * A cluster of actors and clients, described as data. The checker's
 * `ActorSystem` turns one into a Model under the network semantics and fault
 * budget given here; the runtime hosts the same actors over real sockets. A
 * spec exports one of these and never imports the checker.
 */

/**
 * How the network treats messages, as Stateright's `Network` kinds:
 * - `unordered`: a multiset; each message is delivered at most once, in any order.
 * - `duplicating`: a set; a sent message stays deliverable, any number of times.
 * - `ordered`: FIFO per (sender, receiver) link; links interleave freely.
 */
export type NetworkSemantics = "unordered" | "duplicating" | "ordered"

export const NetworkSemanticsValues: ReadonlyArray<NetworkSemantics> = ["unordered", "duplicating", "ordered"]

export type Envelope<M, Req, Res> =
  | { readonly from: NodeId; readonly to: NodeId; readonly kind: "message"; readonly body: M }
  | { readonly from: ClientId; readonly to: NodeId; readonly kind: "request"; readonly body: Req }
  | { readonly from: NodeId; readonly to: ClientId; readonly kind: "response"; readonly body: Res }

/** The in-flight messages: a Bag (unordered), a SetOf (duplicating), or FIFO queues keyed `from->to` (ordered). */
export type NetworkState<E> = Bag<E> | SetOf<E> | Readonly<Record<string, ReadonlyArray<E>>>

export type NodeSlot<S, T, D> =
  | { readonly up: true; readonly state: S; readonly timers: SetOf<T> }
  | { readonly up: false; readonly durable: D }

export interface ClientSlot<CS, CT> {
  readonly state: CS
  readonly timers: SetOf<CT>
}

/**
 * A state of the whole system, as properties see it. Nodes and clients are in
 * declaration order. `ghost` is present when the spec declares a `ghost`.
 */
export interface SystemState<S, M, T, Req, Res, D, CS, CT, G = unknown> {
  readonly nodes: ReadonlyArray<NodeSlot<S, T, D>>
  readonly clients: ReadonlyArray<ClientSlot<CS, CT>>
  readonly network: NetworkState<Envelope<M, Req, Res>>
  readonly crashes: number
  readonly history: ReadonlyArray<HistoryEvent<Req, Res>>
  readonly ghost?: G
}

/**
 * A history variable, as TLA+ specs keep one (Raft's `elections` and
 * `allLogs`): what a behaviour did that the nodes' current states no longer
 * show, such as every leader ever elected or every command any node ever
 * applied, crashed or not. The checker keeps it in the system state, so it
 * is hashed and compared like the rest, and updates it after every step of
 * a node; the reducers never see it. It must be plain data, and `observe`
 * returns `ghost` itself when there is nothing new to remember, so that
 * states differing only in what they forgot stay apart and no others do.
 */
export interface GhostHistory<S, G> {
  readonly init: G
  /** The history once `node` went from `before` (undefined when it starts or restarts) to `after`. */
  observe(ghost: G, node: NodeId, before: S | undefined, after: S): G
}

export interface SystemSpec<S, M, T, Req, Res, D, CS = never, CT = never, G = unknown> {
  readonly nodes: ReadonlyArray<{ readonly id: NodeId; readonly actor: Actor<S, M, T, Req, Res, D> }>
  readonly clients: ReadonlyArray<{ readonly id: ClientId; readonly client: Client<CS, Req, Res, CT> }>
  readonly network: NetworkSemantics
  /** Whether the network may drop any in-flight message. */
  readonly lossy: boolean
  /** How many crashes a behaviour may contain in all; each crashed node may restart. */
  readonly maxCrashes: number
  /** The nodes that may crash; all of them when absent. */
  readonly crashable?: ReadonlyArray<NodeId>
  /**
   * Nodes that are interchangeable, for `--symmetry`: renaming them among
   * themselves (their ids wherever they appear as strings, their places in
   * `nodes`) maps every behaviour to a behaviour and keeps every property.
   * Their ids must appear in states only as ids, never as positions.
   */
  readonly symmetric?: ReadonlyArray<NodeId>
  /** A history the properties read as `state.ghost`; none when absent. */
  readonly ghost?: GhostHistory<S, G>
  readonly properties: ReadonlyArray<Property<SystemState<S, M, T, Req, Res, D, CS, CT, G>>>
  readonly transitions?: ReadonlyArray<TransitionProperty<SystemState<S, M, T, Req, Res, D, CS, CT, G>>>
  within?(state: SystemState<S, M, T, Req, Res, D, CS, CT, G>): boolean
  terminal?(state: SystemState<S, M, T, Req, Res, D, CS, CT, G>): boolean
  /** One line per message, in the spirit of etcd/raft's `1->2 MsgVote Term:1 Log:1/2`. */
  formatMessage(message: M): string
  formatTimer(timer: T): string
  /** Absent where the spec has no clients (its requests never occur): a trace then shows `request`. */
  formatRequest?(request: Req): string
  formatResponse?(response: Res): string
  /** What a trace shows of a live node's state; the whole state when absent. */
  view?(state: S): unknown
}

/** Every in-flight envelope, whatever the network semantics. */
export const inFlight = <E>(network: NetworkState<E>): ReadonlyArray<E> =>
  Array.isArray(network) ? network as ReadonlyArray<E> : Object.values(network as Record<string, ReadonlyArray<E>>).flat()

/**
 * The in-flight envelopes grouped by link (sender to receiver), in send order
 * on an ordered network, so a model's boundary can bound what one link holds
 * as SPIN bounds a channel's capacity.
 */
export const linkQueues = <M, Req, Res>(network: NetworkState<Envelope<M, Req, Res>>): ReadonlyArray<ReadonlyArray<Envelope<M, Req, Res>>> => {
  if (!Array.isArray(network)) return Object.values(network as Readonly<Record<string, ReadonlyArray<Envelope<M, Req, Res>>>>)
  const links = new Map<string, Array<Envelope<M, Req, Res>>>()
  for (const envelope of network as ReadonlyArray<Envelope<M, Req, Res>>) {
    const link = `${envelope.from}->${envelope.to}`
    const queue = links.get(link)
    if (queue === undefined) links.set(link, [envelope])
    else queue.push(envelope)
  }
  return [...links.values()]
}

/** The state type of a system spec, so a spec names its eight type parameters once. */
export type SystemStateOf<Spec> = Spec extends SystemSpec<infer S, infer M, infer T, infer Req, infer Res, infer D, infer CS, infer CT, infer G>
  ? SystemState<S, M, T, Req, Res, D, CS, CT, G>
  : never

/**
 * The system spec of one actor type, its clients' state and timers and its
 * ghost history, so a spec that names its actor's six type parameters does
 * not name them again.
 */
export type SystemSpecOf<A, CS = never, CT = never, G = unknown> = A extends Actor<infer S, infer M, infer T, infer Req, infer Res, infer D>
  ? SystemSpec<S, M, T, Req, Res, D, CS, CT, G>
  : never
