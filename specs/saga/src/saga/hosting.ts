/**
 * The orchestrated saga as the runtime hosts it: the very reducers `parley
 * check saga` explores with the bugs off, one process for the orchestrator
 * (node id `orchestrator`) and one per step's service (node ids as the
 * steps name them: `inventory`, `payment`, `shipping`). What the hosted
 * cluster adds is configuration: sagas are started by clients, not at
 * start-up; the orchestrator never stops resending (a service down for a
 * while delays a saga, it does not strand it); and each service decides by
 * its policy, to accept unless it is told to refuse, instead of both ways.
 */
import { hostedSpec } from "@parley/core"
import type { NodeId } from "@parley/core"
import { Effect, Schema } from "effect"
import { MAX_STEPS, noBugs, sagaSteps } from "../steps.ts"
import type { SagaStep } from "../steps.ts"
import { failedStep } from "./log.ts"
import { ORCHESTRATOR, Policy, SagaDurable, SagaMessage } from "./messages.ts"
import type { SagaTimer } from "./messages.ts"
import { orchestratorActor, serviceActor } from "./node.ts"
import type { SagaActor, SagaNodeState } from "./node.ts"
import { SagaRequest, SagaResponse } from "./requests.ts"
import { sagaApi } from "./routes.ts"

const Name = Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9-]{0,31}$/))

/** A step as the cluster file may declare it: the service (its node's id) and the names of its action and compensation. */
export const HostedStep = Schema.Struct({ service: Name, action: Name, compensation: Name })

const defaultSteps = sagaSteps(3).map(({ service, action, compensation }) => ({ service, action, compensation }))

/** The cluster file's `options` for `saga`. */
export const SagaHostOptions = Schema.Struct({
  /** T1…Tn in order; by default the model's three (inventory, payment, shipping). */
  steps: Schema.Array(HostedStep).check(Schema.isMinLength(1), Schema.isMaxLength(2 * MAX_STEPS)).pipe(
    Schema.withDecodingDefault(Effect.succeed(defaultSteps))
  ),
  /** Services that refuse every new request from the start, until an admin request says otherwise. */
  refuse: Schema.Array(Name).pipe(Schema.withDecodingDefault(Effect.succeed([])))
}).check(Schema.makeFilter((options) => {
  const services = options.steps.map((entry) => entry.service)
  const twice = services.find((service, i) => services.indexOf(service) !== i)
  if (twice !== undefined) return `service "${twice}" runs two steps; each step needs a service of its own`
  if (services.includes(ORCHESTRATOR)) return `"${ORCHESTRATOR}" is the orchestrator's node, not a service`
  const unknown = options.refuse.find((service) => !services.includes(service))
  return unknown === undefined || `refuse names "${unknown}", which runs no step; the services: ${services.join(", ")}`
}))
export type SagaHostOptions = typeof SagaHostOptions.Type

export const hostedSteps = (options: SagaHostOptions): ReadonlyArray<SagaStep> =>
  options.steps.map((entry, index) => ({ ...entry, step: index + 1 }))

/** The one actor every node of the cluster runs; which part it plays follows from its id. */
export const hostedSagaActor = (nodes: ReadonlyArray<NodeId>, options: SagaHostOptions): SagaActor => {
  const steps = hostedSteps(options)
  const missing = [ORCHESTRATOR, ...steps.map((entry) => entry.service)].filter((id) => !nodes.includes(id))
  if (missing.length > 0) {
    throw new Error(`saga: the cluster has no node ${missing.join(", ")}; its nodes must be ${ORCHESTRATOR} and one per service`)
  }
  const orchestrator = orchestratorActor({ steps, retries: Number.POSITIVE_INFINITY, bugs: noBugs, initialSagas: [] })
  const policy = (self: NodeId): Policy => (options.refuse.includes(self) ? "refuse" : "accept")
  const service = (self: NodeId) => serviceActor({ orchestrator: ORCHESTRATOR, idempotent: true }, policy(self))
  const byState = (s: SagaNodeState) => (s.role === "orchestrator" ? orchestrator : service(""))
  return {
    init: (ctx) => (ctx.self === ORCHESTRATOR ? orchestrator : service(ctx.self)).init(ctx),
    onMessage: (s, from, m) => byState(s).onMessage(s, from, m),
    onTimer: (s, timer) => byState(s).onTimer(s, timer),
    onRequest: (s, client, request) => byState(s).onRequest(s, client, request),
    durable: (s) => byState(s).durable(s),
    recover: (ctx, d) => (ctx.self === ORCHESTRATOR ? orchestrator : service(ctx.self)).recover(ctx, d)
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
  api: sagaApi({ schema: SagaStatus, of: statusOf })
})
