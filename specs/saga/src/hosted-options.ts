/**
 * The cluster file's options both hosted sagas take, and the rule that
 * gives each node its part: the first node keeps the sagas (the
 * orchestrator, the order service) and node i+1 runs step i, so `parley
 * cluster up saga --nodes 4` runs three steps and the node ids name the
 * services.
 */
import type { Actor, NodeId } from "@parley/core"
import { Effect, Schema } from "effect"
import { sagaSteps } from "./steps.ts"
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
  refuse: Schema.Array(Schema.String).pipe(Schema.withDecodingDefault(Effect.succeed([])))
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

/** The saga's steps on these nodes: step i runs on node i+1; the first node keeps the sagas. */
export const hostedSteps = (nodes: ReadonlyArray<NodeId>, options: SagaHostOptions): ReadonlyArray<SagaStep> => {
  if (nodes.length !== options.steps.length + 1) {
    throw new ClusterMismatch(
      `${options.steps.length} steps run on ${options.steps.length + 1} nodes, the node that keeps sagas and one service per step; ` +
        `the cluster has ${nodes.length} (${nodes.join(", ")}): start it with --nodes ${options.steps.length + 1}`
    )
  }
  const unknown = options.refuse.filter((id) => !nodes.slice(1).includes(id))
  if (unknown.length > 0) throw new ClusterMismatch(`refuse names ${unknown.join(", ")}, which runs no step; the services: ${nodes.slice(1).join(", ")}`)
  return options.steps.map((entry, index) => ({ ...entry, service: nodes[index + 1]!, step: index + 1 }))
}


/** How node `self` decides until told otherwise: it refuses if the cluster file says so. */
export const initialPolicy = (options: SagaHostOptions, self: NodeId): "accept" | "refuse" =>
  options.refuse.includes(self) ? "refuse" : "accept"

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
