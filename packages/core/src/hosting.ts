/**
 * What the runtime needs, beyond the actor, to host a spec as a real
 * cluster: the Schemas of everything that crosses the process boundary (a
 * frame, a client request, a stored record, the cluster file's options),
 * the default delay of each timer kind, and how the key-value client API
 * maps onto the actor's requests and responses. Durations are configuration
 * the host reads; the reducer never sees a clock.
 */
import type { Schema } from "effect"
import type { Actor, NodeId } from "./actor.ts"
import type { KvInput, KvOutput } from "./kv.ts"

/** A timer's delay in milliseconds, drawn uniformly from [minMs, maxMs] each time the timer is set. */
export interface TimerRange {
  readonly minMs: number
  readonly maxMs: number
}

/** What a response to a key-value request tells the client API. */
export type KvOutcome =
  | { readonly _tag: "Done"; readonly seq: number; readonly output: KvOutput }
  /** This node cannot serve it; `leader` is the node it believes can, if any. */
  | { readonly _tag: "Redirect"; readonly seq: number; readonly leader: NodeId | null }

/** A node's state as `GET /v1/status` reports it. */
export interface NodeStatus {
  readonly role: string
  readonly term: number
  readonly leader: NodeId | null
  readonly commitIndex: number
  readonly appliedIndex: number
}

export interface HostedSpec<S, M, T, Req, Res, D, O> {
  readonly name: string
  readonly message: Schema.Codec<M, unknown>
  readonly request: Schema.Codec<Req, unknown>
  readonly response: Schema.Codec<Res, unknown>
  readonly durable: Schema.Codec<D, unknown>
  /** The cluster file's `options` for this spec; every field has a default, so `{}` decodes. */
  readonly options: Schema.Codec<O, unknown>
  actor(nodes: ReadonlyArray<NodeId>, options: O): Actor<S, M, T, Req, Res, D>
  /** The name of a timer's kind, under which its delay is configured. */
  timerKind(timer: T): string
  readonly timers: Readonly<Record<string, TimerRange>>
  /** A client's key-value operation as a request; `seq` grows by one per operation of the client, so a retry takes effect once. */
  kvRequest(seq: number, op: KvInput): Req
  kvOutcome(response: Res): KvOutcome
  status(state: S): NodeStatus
}

/** Erased where hosted specs are listed by name; each is typed where it is defined. */
export type AnyHostedSpec = HostedSpec<unknown, unknown, unknown, unknown, unknown, unknown, unknown>
