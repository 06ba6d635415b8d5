/**
 * The orchestrated saga as the runtime hosts it: the very reducers `parley
 * check saga` explores with the bugs off. The cluster's first node is the
 * orchestrator and node i+1 runs step i (so `parley cluster up saga
 * --nodes 4` runs three steps); each node's id names its service in
 * requests, views and ledgers. What the hosted cluster adds is
 * configuration: sagas are started by clients, not at start-up; the
 * orchestrator never stops resending (a service down for a while delays a
 * saga, it does not strand it); and each service decides by its policy, to
 * accept unless it is told to refuse, instead of both ways.
 */
import { hostedSpec } from "@parley/core"
import type { NodeId } from "@parley/core"
import { Effect, Schema } from "effect"
import { noBugs, sagaSteps } from "../steps.ts"
import type { SagaStep } from "../steps.ts"
import { failedStep } from "./log.ts"
import { Policy } from "../policy.ts"
import { SagaDurable, SagaMessage } from "./messages.ts"
import type { SagaTimer } from "./messages.ts"
import { orchestratorActor, serviceActor } from "./node.ts"
import type { SagaActor, SagaNodeState } from "./node.ts"
import { SagaRequest } from "../requests.ts"
import { sagaApi } from "../routes.ts"
import { SagaResponse } from "./responses.ts"

const Name = Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9-]{0,31}$/))

/** A step as the cluster file may declare it: the names of its action and its compensation. */
export const HostedStep = Schema.Struct({ action: Name, compensation: Name })

const defaultSteps = sagaSteps(3).map(({ action, compensation }) => ({ action, compensation }))

/** The cluster file's `options` for `saga`. */
export const SagaHostOptions = Schema.Struct({
  /** T1…Tn in order; by default the model's three: reserve/release, charge/refund, ship/recall. */
  steps: Schema.Array(HostedStep).check(Schema.isMinLength(1), Schema.isMaxLength(8)).pipe(
    Schema.withDecodingDefault(Effect.succeed(defaultSteps))
  ),
  /** Ids of service nodes that refuse every new request from the start, until an admin request says otherwise. */
  refuse: Schema.Array(Schema.String).pipe(Schema.withDecodingDefault(Effect.succeed([])))
})
export type SagaHostOptions = typeof SagaHostOptions.Type

/** The saga's steps on these nodes: step i runs on node i+1; the first node is the orchestrator. */
export const hostedSteps = (nodes: ReadonlyArray<NodeId>, options: SagaHostOptions): ReadonlyArray<SagaStep> => {
  if (nodes.length !== options.steps.length + 1) {
    throw new Error(
      `saga: ${options.steps.length} steps run on ${options.steps.length + 1} nodes, the orchestrator and one service per step; ` +
        `the cluster has ${nodes.length} (${nodes.join(", ")})`
    )
  }
  const unknown = options.refuse.filter((id) => !nodes.slice(1).includes(id))
  if (unknown.length > 0) throw new Error(`saga: refuse names ${unknown.join(", ")}, which runs no step; the services: ${nodes.slice(1).join(", ")}`)
  return options.steps.map((entry, index) => ({ ...entry, service: nodes[index + 1]!, step: index + 1 }))
}

/** The one actor every node of the cluster runs; which part it plays follows from its place in the cluster. */
export const hostedSagaActor = (nodes: ReadonlyArray<NodeId>, options: SagaHostOptions): SagaActor => {
  const steps = hostedSteps(nodes, options)
  const orchestratorId = nodes[0]!
  const orchestrator = orchestratorActor({ steps, retries: Number.POSITIVE_INFINITY, bugs: noBugs, initialSagas: [] })
  const policy = (self: NodeId): Policy => (options.refuse.includes(self) ? "refuse" : "accept")
  const service = (self: NodeId) => serviceActor({ orchestrator: orchestratorId, idempotent: true }, policy(self))
  // Past start-up a service's policy is in its state, so any service's actor serves every service.
  const anyService = service("")
  const byState = (s: SagaNodeState) => (s.role === "orchestrator" ? orchestrator : anyService)
  const bySelf = (self: NodeId) => (self === orchestratorId ? orchestrator : service(self))
  return {
    init: (ctx) => bySelf(ctx.self).init(ctx),
    onMessage: (s, from, m) => byState(s).onMessage(s, from, m),
    onTimer: (s, timer) => byState(s).onTimer(s, timer),
    onRequest: (s, client, request) => byState(s).onRequest(s, client, request),
    durable: (s) => byState(s).durable(s),
    recover: (ctx, d) => bySelf(ctx.self).recover(ctx, d)
  }
}

/**
 * Timer defaults: an unanswered request is resent after half a second to a
 * second, and a service takes 5 to 20 ms to decide (a real one would call
 * its database; a cluster file can make it slower to watch a saga run).
 */
export const sagaTimerDefaults = {
  retry: { minMs: 500, maxMs: 1000 },
  decide: { minMs: 5, maxMs: 20 }
} as const

/** What `GET /v1/status` reports: the orchestrator's sagas, or a service's policy and effects. */
export const SagaStatus = Schema.Struct({
  role: Schema.Literals(["orchestrator", "service"]),
  /** Sagas started; of them, those with a refused step (compensating or compensated). */
  sagas: Schema.Int,
  refused: Schema.Int,
  policy: Schema.NullOr(Policy),
  /** Effects in the service's ledger, and requests whose decision is pending. */
  applied: Schema.Int,
  pending: Schema.Int
})
export type SagaStatus = typeof SagaStatus.Type

const statusOf = (s: SagaNodeState): SagaStatus =>
  s.role === "service"
    ? { role: "service", sagas: 0, refused: 0, policy: s.policy, applied: s.ledger.length, pending: s.pending.length }
    : {
      role: "orchestrator",
      sagas: s.sagas.length,
      refused: s.sagas.filter((run) => failedStep(run.log) !== undefined).length,
      policy: null,
      applied: 0,
      pending: 0
    }

export const sagaHosted = hostedSpec({
  name: "saga",
  message: SagaMessage,
  request: SagaRequest,
  response: SagaResponse,
  durable: SagaDurable,
  options: SagaHostOptions,
  actor: hostedSagaActor,
  timerKind: (timer: SagaTimer) => timer._tag.toLowerCase(),
  timers: sagaTimerDefaults,
  api: sagaApi<SagaNodeState, SagaResponse, SagaStatus>({ schema: SagaStatus, of: statusOf })
})
