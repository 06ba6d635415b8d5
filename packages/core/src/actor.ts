/**
 * One node's pure reducer. Every input is an event and every effect is data
 * (an `Output`) that the host performs: the model checker's `ActorSystem`, or
 * the runtime over real sockets. The host makes `durable(state)` durable
 * before it performs the step's sends and replies, as etcd/raft's `Ready` does.
 */

export type NodeId = string
export type ClientId = string

export interface NodeContext {
  readonly self: NodeId
  /** Every node of the cluster, `self` included, in a stable order. */
  readonly nodes: ReadonlyArray<NodeId>
}

export type Output<M, T, Res> =
  | { readonly _tag: "Send"; readonly to: NodeId; readonly message: M }
  | { readonly _tag: "SetTimer"; readonly timer: T }
  | { readonly _tag: "CancelTimer"; readonly timer: T }
  | { readonly _tag: "Reply"; readonly client: ClientId; readonly response: Res }

export interface Step<S, M, T, Res> {
  readonly state: S
  readonly out: ReadonlyArray<Output<M, T, Res>>
}

/**
 * Handlers are declared as methods, not function-typed properties, so that an
 * `Actor<RaftState, ...>` can be held where an `Actor<unknown, ...>` is
 * expected (method parameters are bivariant in TypeScript).
 */
export interface Actor<S, M, T, Req, Res, D> {
  init(ctx: NodeContext): Step<S, M, T, Res>
  onMessage(state: S, from: NodeId, message: M): Step<S, M, T, Res>
  onTimer(state: S, timer: T): Step<S, M, T, Res>
  onRequest(state: S, client: ClientId, request: Req): Step<S, M, T, Res>
  /** What must survive a crash. */
  durable(state: S): D
  /** Restart from what survived. */
  recover(ctx: NodeContext, durable: D): Step<S, M, T, Res>
}

export const send = <M>(to: NodeId, message: M): Output<M, never, never> => ({ _tag: "Send", to, message })

export const setTimer = <T>(timer: T): Output<never, T, never> => ({ _tag: "SetTimer", timer })

export const cancelTimer = <T>(timer: T): Output<never, T, never> => ({ _tag: "CancelTimer", timer })

export const reply = <Res>(client: ClientId, response: Res): Output<never, never, Res> => ({
  _tag: "Reply",
  client,
  response
})

export const step = <S, M = never, T = never, Res = never>(
  state: S,
  out: ReadonlyArray<Output<M, T, Res>> = []
): Step<S, M, T, Res> => ({ state, out })

/** Sends one message to every node but the sender. */
export const broadcast = <M>(ctx: NodeContext, message: M): ReadonlyArray<Output<M, never, never>> =>
  ctx.nodes.filter((node) => node !== ctx.self).map((node) => send(node, message))
