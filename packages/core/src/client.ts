import type { ClientId, NodeId } from "./actor.ts"

/**
 * A client of a cluster, as the model checker runs it: it sends requests to
 * nodes and reacts to their responses. The host records every request as an
 * invocation and every delivered response as a return, which gives the client
 * history that linearizability is checked against.
 */
export interface ClientContext {
  readonly self: ClientId
  readonly nodes: ReadonlyArray<NodeId>
}

export type ClientOutput<Req, T> =
  | { readonly _tag: "Request"; readonly to: NodeId; readonly request: Req }
  | { readonly _tag: "SetTimer"; readonly timer: T }
  | { readonly _tag: "CancelTimer"; readonly timer: T }

export interface ClientStep<CS, Req, T> {
  readonly state: CS
  readonly out: ReadonlyArray<ClientOutput<Req, T>>
}

/**
 * A client runs one operation at a time. The first request it sends while it
 * has no open operation opens one; requests it sends while one is open are
 * retries or redirects of that same operation, so the history does not record
 * them again.
 */
export interface Client<CS, Req, Res, T = never> {
  init(ctx: ClientContext): ClientStep<CS, Req, T>
  onResponse(state: CS, from: NodeId, response: Res): ClientStep<CS, Req, T>
  onTimer(state: CS, timer: T): ClientStep<CS, Req, T>
  /**
   * Whether `response`, arriving in `state`, ends the open operation. A
   * redirect to the leader does not, nor does a late answer to an earlier
   * operation. Every response does when absent.
   */
  completes?(state: CS, response: Res): boolean
}

export const request = <Req>(to: NodeId, req: Req): ClientOutput<Req, never> => ({
  _tag: "Request",
  to,
  request: req
})

/** One entry of a client history: an operation's invocation or its return. */
export type HistoryEvent<Req, Res> =
  | { readonly _tag: "Invoke"; readonly client: ClientId; readonly node: NodeId; readonly request: Req }
  | { readonly _tag: "Return"; readonly client: ClientId; readonly node: NodeId; readonly response: Res }
