/**
 * The orchestrated saga as the runtime hosts it: the very reducers `parley
 * check saga` explores with the bugs off. The node `orchestrator` keeps the
 * sagas and the other nodes run the steps, in the cluster file's order
 * (`parley cluster up saga`: inventory, payment, shipping); each node's id
 * names its service in requests, views and ledgers. What the hosted cluster adds is
 * configuration: sagas are started by clients, not at start-up; the
 * orchestrator never stops resending (a service down for a while delays a
 * saga, it does not strand it); and each service decides by its policy, to
 * accept unless it is told to refuse, instead of both ways. The cluster
 * file's `startSaga`, `retries` and `policy: "either"` turn each back to
 * the check's, as `parley trace replay` runs it.
 */
import { hostedSpec } from "@parley/core"
import type { NodeId } from "@parley/core"
import { Schema } from "effect"
import { actorOfParts, hostedBudget, hostedSteps, initialPolicy, SagaHostOptions, sagaLayout } from "../hosted-options.ts"
import { Policy } from "../policy.ts"
import { SagaRequest } from "../requests.ts"
import { sagaApi } from "../routes.ts"
import { noBugs, PAYMENT_STEP } from "../steps.ts"
import { repeatedEffects } from "../ledger.ts"
import { failedStep } from "./log.ts"
import { ORCHESTRATOR, SagaDurable, SagaMessage } from "./messages.ts"
import type { SagaTimer } from "./messages.ts"
import { orchestratorActor, serviceActor } from "./node.ts"
import type { SagaActor, SagaNodeState } from "./node.ts"
import { SagaResponse } from "./responses.ts"
import { sagaSpec } from "./spec.ts"
import { SagaReport } from "./view.ts"

/** The one actor every node of the cluster runs; which part it plays follows from its place in the cluster. */
export const hostedSagaActor = (nodes: ReadonlyArray<NodeId>, options: SagaHostOptions, variant?: string): SagaActor => {
  const steps = hostedSteps(nodes, ORCHESTRATOR, options)
  const bugs = variant === undefined ? noBugs : sagaSpec.bugsOf(variant)
  const orchestrator = orchestratorActor({ steps, bugs, ...hostedBudget(options) })
  const service = (self: NodeId) => serviceActor({ orchestrator: ORCHESTRATOR, idempotent: true }, initialPolicy(options, self))
  // Past start-up a service's policy is in its state, so any service's actor serves every service.
  const anyService = service("")
  // no-idempotency's payment service: the node that takes the payment step's requests, known by their step.
  const careless = serviceActor({ orchestrator: ORCHESTRATOR, idempotent: false }, options.policy)
  const services: SagaActor = bugs.noIdempotency
    ? { ...anyService, onMessage: (s, from, m) => ("step" in m && m.step === PAYMENT_STEP ? careless : anyService).onMessage(s, from, m) }
    : anyService
  return actorOfParts(
    (self) => (self === ORCHESTRATOR ? orchestrator : service(self)),
    (s) => (s.role === "orchestrator" ? orchestrator : services)
  )
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
  /** Of them, effects taken twice under one idempotency key (a service that does not deduplicate). */
  repeated: Schema.Int,
  pending: Schema.Int
})
export type SagaStatus = typeof SagaStatus.Type

const statusOf = (s: SagaNodeState): SagaStatus =>
  s.role === "service"
    ? { role: "service", sagas: 0, refused: 0, policy: s.policy, applied: s.ledger.length, repeated: repeatedEffects(s.ledger), pending: s.pending.length }
    : {
      role: "orchestrator",
      sagas: s.sagas.length,
      refused: s.sagas.filter((run) => failedStep(run.log) !== undefined).length,
      policy: null,
      applied: 0,
      repeated: 0,
      pending: 0
    }

export const sagaHosted = hostedSpec({
  name: "saga",
  message: SagaMessage,
  request: SagaRequest,
  response: SagaResponse,
  durable: SagaDurable,
  options: SagaHostOptions,
  variants: sagaSpec.variants,
  actor: hostedSagaActor,
  layout: sagaLayout(ORCHESTRATOR),
  timerKind: (timer: SagaTimer) => timer._tag.toLowerCase(),
  timers: sagaTimerDefaults,
  api: sagaApi<SagaNodeState, SagaResponse, SagaStatus>({ schema: SagaStatus, of: statusOf }, SagaReport)
})
