/**
 * The shape both lock systems share. Services sit at fixed ids (`redis` and
 * `resource`; `zk`), and clients `c1`…`cN` are nodes beside them, not
 * scripted clients, because a lock client talks to services and is itself a
 * party to the protocol. One actor runs on every node and takes its role
 * from its id. No node is made to crash and the network loses nothing: the
 * failures these specs study (a lease running out, a session expiring) are
 * modelled as timers. Hosted, the services take HTTP clients' requests and
 * keep durable state; the model's clients are nodes and make no requests.
 */
import type { Actor, ClientId, NodeContext, NodeId, NodeSlot, Step } from "@parley/core"

/** `c1`…`cN`. */
export const clientIds = (count: number): ReadonlyArray<NodeId> => Array.from({ length: count }, (_, i) => `c${i + 1}`)

/** A lock system's faults: none beyond its own timers; and its clients are nodes, so it has no scripted ones. */
export const noFaults = { clients: [], lossy: false, maxCrashes: 0 } as const

export interface LockRoles<S, M, T, Req, Res, D> {
  /** The spec's name, for the error a node without a role gets. */
  readonly spec: string
  /** Each service's fixed id, and how it starts. */
  readonly services: Readonly<Record<NodeId, () => Step<S, M, T, Res>>>
  readonly clients: ReadonlyArray<NodeId>
  readonly clientInit: () => Step<S, M, T, Res>
  readonly onMessage: (state: S, from: NodeId, message: M) => Step<S, M, T, Res>
  readonly onTimer: (state: S, timer: T) => Step<S, M, T, Res>
  /** A hosted service's client requests; a model's clients are nodes and make none. */
  readonly onRequest: (state: S, client: ClientId, request: Req) => Step<S, M, T, Res>
  readonly durable: (state: S) => D
  /** Restart from what survived; `init` is how the node would start afresh. */
  readonly recover: (ctx: NodeContext, durable: D, init: (ctx: NodeContext) => Step<S, M, T, Res>) => Step<S, M, T, Res>
}

/** A lock system that keeps nothing durable: a restarted node starts afresh. */
export const nothingDurable = {
  durable: (): null => null,
  recover: <S, M, T, Res>(ctx: NodeContext, _durable: null, init: (ctx: NodeContext) => Step<S, M, T, Res>) => init(ctx)
}

/** The one actor of a lock system: it starts as the service its id names, or as a client. */
export const lockActor = <S, M, T, Req, Res, D>(roles: LockRoles<S, M, T, Req, Res, D>): Actor<S, M, T, Req, Res, D> => {
  const init = (ctx: NodeContext): Step<S, M, T, Res> => {
    const service = roles.services[ctx.self]
    if (service !== undefined) return service()
    if (roles.clients.includes(ctx.self)) return roles.clientInit()
    const services = Object.keys(roles.services).join(", ")
    throw new RangeError(`${roles.spec} node ${ctx.self} has no role: it is neither ${services} nor a client`)
  }
  return {
    init,
    onMessage: roles.onMessage,
    onTimer: roles.onTimer,
    onRequest: roles.onRequest,
    durable: roles.durable,
    recover: (ctx, durable) => roles.recover(ctx, durable, init)
  }
}

/** The states of the live nodes playing `role`, in declaration order. */
export const liveInRole = <S extends { readonly role: string }, R extends S["role"]>(
  nodes: ReadonlyArray<NodeSlot<S, unknown, unknown>>,
  role: R
): ReadonlyArray<Extract<S, { readonly role: R }>> =>
  nodes.flatMap((slot) => (slot.up && inRole(slot.state, role) ? [slot.state] : []))

const inRole = <S extends { readonly role: string }, R extends S["role"]>(state: S, role: R): state is Extract<S, { readonly role: R }> =>
  state.role === role

/** A node's state as a trace shows it: its role is already the lane's name. */
export const withoutRole = <S extends { readonly role: string }>({ role: _role, ...shown }: S): Omit<S, "role"> => shown
