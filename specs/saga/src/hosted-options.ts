/**
 * The cluster file's options both hosted sagas take, and the rule that
 * gives each node its part, as data in the cluster file: the node with the
 * keeper's id (`orchestrator`, `order`) keeps the sagas, and the other
 * nodes, in the file's order, run the steps, so their ids name the
 * services (`parley cluster up saga` makes `inventory`, `payment`,
 * `shipping`).
 */
import type { Actor, NodeId, NodeLayout } from "@parley/core"
import { Effect, Schema } from "effect"
import { Policy } from "./policy.ts"
import { MAX_STEPS, SAGA_ID, sagaSteps } from "./steps.ts"
import type { SagaStep } from "./steps.ts"

const Name = Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9-]{0,31}$/))

/** A step as the cluster file may declare it: the names of its action and its compensation. */
export const HostedStep = Schema.Struct({ action: Name, compensation: Name })

const defaultSteps = sagaSteps(3).map(({ action, compensation }) => ({ action, compensation }))

/** The cluster file's `options` for `saga` and `saga-choreography`. */
export const SagaHostOptions = Schema.Struct({
  /** T1…Tn in order; by default the model's three: reserve/release, charge/refund, ship/recall. */
  steps: Schema.Array(HostedStep).check(Schema.isMinLength(1), Schema.isMaxLength(8)).pipe(
    Schema.withDecodingDefault(Effect.succeed(defaultSteps))
  ),
  /** Ids of service nodes that refuse every new request from the start, until an admin request says otherwise. */
  refuse: Schema.Array(Schema.String).pipe(Schema.withDecodingDefault(Effect.succeed([]))),
  /**
   * How the other services decide a new request: accept, or `either`, the
   * model's choice, which arms both outcomes and takes the one whose timer
   * fires (as `parley trace replay` fires the trace's).
   */
  policy: Policy.pipe(Schema.withDecodingDefault(Effect.succeed("accept" as const))),
  /**
   * Resends of one operation (an event, choreographed) before giving up:
   * the check's retry budget, as `parley trace replay` runs it. Null, the
   * default: without end, so a service down for a while delays a saga and
   * never strands it.
   */
  retries: Schema.NullOr(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1000 }))).pipe(Schema.withDecodingDefault(Effect.succeed(null))),
  /** Whether the node that keeps sagas starts one itself (`order-1`) as it first starts, as the check's does; clients start them otherwise. */
  startSaga: Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(false)))
})
export type SagaHostOptions = typeof SagaHostOptions.Type

/**
 * A cluster file whose nodes do not fit the saga, found as a node starts.
 * Its message says all there is to say, so it carries no stack: the last
 * line a node logs is the one `parley cluster up` repeats.
 */
export class ClusterMismatch extends Error {
  constructor(message: string) {
    super(message)
    this.name = "ClusterMismatch"
    this.stack = `${this.name}: ${message}`
  }
}

/** The saga's steps on these nodes: the nodes but the keeper run the steps, in the cluster file's order. */
export const hostedSteps = (nodes: ReadonlyArray<NodeId>, keeper: NodeId, options: SagaHostOptions): ReadonlyArray<SagaStep> => {
  const services = nodes.filter((id) => id !== keeper)
  if (services.length === nodes.length) throw new ClusterMismatch(`the cluster has no node "${keeper}", which keeps the sagas; its nodes: ${nodes.join(", ")}`)
  if (services.length !== options.steps.length) {
    throw new ClusterMismatch(
      `a saga of ${options.steps.length} steps runs on "${keeper}" and ${options.steps.length} services, one per step; ` +
        `the cluster has ${services.length} (${services.join(", ")})`
    )
  }
  const unknown = options.refuse.filter((id) => !services.includes(id))
  if (unknown.length > 0) throw new ClusterMismatch(`refuse names ${unknown.join(", ")}, which runs no step; the services: ${services.join(", ")}`)
  return options.steps.map((entry, index) => ({ ...entry, service: services[index]!, step: index + 1 }))
}

/** The services of a local cluster of `count`: the model's names while they last (inventory, payment, shipping, loyalty), then `service-N`. */
const serviceIds = (count: number): ReadonlyArray<NodeId> =>
  Array.from({ length: count }, (_, i) => (i < MAX_STEPS ? sagaSteps(MAX_STEPS)[i]!.service : `service-${i + 1}`))

/** How `parley cluster up` names a saga cluster's nodes (`--participants`, or `--nodes`, counts the services), and what a cluster file's ids must hold. */
export const sagaLayout = (keeper: NodeId): NodeLayout => ({
  counts: "participants",
  ids: (count) => [keeper, ...serviceIds(count)],
  check: (ids) =>
    !ids.includes(keeper)
      ? `a saga cluster needs a node "${keeper}", which keeps the sagas; the others run the steps, in order`
      : ids.length < 2
      ? "a saga cluster needs at least one service beside the node that keeps the sagas"
      : undefined
})

/** How node `self` decides until told otherwise: it refuses if the cluster file says so, and decides by its `policy` otherwise. */
export const initialPolicy = (options: SagaHostOptions, self: NodeId): Policy => (options.refuse.includes(self) ? "refuse" : options.policy)

/** The cluster's retry budget, and the sagas its keeper starts itself, as the reducers take them. */
export const hostedBudget = (options: SagaHostOptions) => ({
  retries: options.retries ?? Number.POSITIVE_INFINITY,
  initialSagas: options.startSaga ? [SAGA_ID] : []
})

/**
 * One actor for every node of a hosted cluster, made of the actors of its
 * parts: a node starts and recovers as its id's part (`bySelf`), and from
 * then on its state says which part it is (`byState`).
 */
export const actorOfParts = <S, M, T, Req, Res, D>(
  bySelf: (self: NodeId) => Actor<S, M, T, Req, Res, D>,
  byState: (state: S) => Actor<S, M, T, Req, Res, D>
): Actor<S, M, T, Req, Res, D> => ({
  init: (ctx) => bySelf(ctx.self).init(ctx),
  onMessage: (s, from, m) => byState(s).onMessage(s, from, m),
  onTimer: (s, timer) => byState(s).onTimer(s, timer),
  onRequest: (s, client, request) => byState(s).onRequest(s, client, request),
  durable: (s) => byState(s).durable(s),
  recover: (ctx, d) => bySelf(ctx.self).recover(ctx, d)
})
