/**
 * The choreographed saga as the runtime hosts it: the very reducers `parley
 * check saga-choreography` explores with the bugs off, and no orchestrator.
 * The node `order` places orders and records outcomes, and the other
 * nodes run the steps, in the cluster file's order (`parley cluster up
 * saga-choreography`: inventory, payment, shipping). The services publish
 * events to each other through their outboxes, resent until acknowledged
 * and without limit, and consume them through their inboxes, once each;
 * orders are placed by clients; each service accepts unless it is told to
 * refuse.
 */
import { hostedSpec } from "@parley/core"
import type { NodeId } from "@parley/core"
import { Schema } from "effect"
import { actorOfParts, hostedBudget, hostedSteps, initialPolicy, SagaHostOptions, sagaLayout } from "../hosted-options.ts"
import { repeatedEffects } from "../ledger.ts"
import { noBugs, PAYMENT_STEP } from "../steps.ts"
import { Policy } from "../policy.ts"
import { SagaRequest } from "../requests.ts"
import { sagaApi } from "../routes.ts"
import { ChoreographyDurable, ChoreographyMessage, ORDER } from "./messages.ts"
import type { ChoreographyTimer } from "./messages.ts"
import { choreographyServiceActor, orderActor } from "./node.ts"
import type { ChoreographyActor, ChoreographyNodeState } from "./node.ts"
import { ChoreographyReport, ChoreographyResponse } from "./responses.ts"
import { choreographySpec } from "./spec.ts"

/** The one actor every node of the cluster runs; which part it plays follows from its place in the cluster. */
export const hostedChoreographyActor = (nodes: ReadonlyArray<NodeId>, options: SagaHostOptions, variant?: string): ChoreographyActor => {
  const chain = { steps: hostedSteps(nodes, ORDER, options), order: ORDER }
  const { retries, initialSagas } = hostedBudget(options)
  const bugs = variant === undefined ? noBugs : choreographySpec.bugsOf(variant)
  const order = orderActor(chain, retries, initialSagas)
  const services = chain.steps.map((entry) =>
    choreographyServiceActor(
      { ...chain, step: entry.step, retries, idempotent: !(bugs.noIdempotency && entry.step === PAYMENT_STEP), compensateEarly: bugs.compensateEarly },
      initialPolicy(options, entry.service)
    )
  )
  return actorOfParts(
    (self) => (self === chain.order ? order : services[chain.steps.findIndex((entry) => entry.service === self)]!),
    (s) => (s.role === "order" ? order : services[s.step - 1]!)
  )
}

/**
 * Timer defaults: an unacknowledged event is resent after half a second to
 * a second; a service takes 5 to 20 ms to decide.
 */
export const choreographyTimerDefaults = {
  resend: { minMs: 500, maxMs: 1000 },
  decide: { minMs: 5, maxMs: 20 }
} as const

/** What `GET /v1/status` reports: the order service's sagas, or a service's policy and effects; and events not yet acknowledged. */
export const ChoreographyStatus = Schema.Struct({
  role: Schema.Literals(["order", "service"]),
  /** Orders placed, and of them those with an outcome. */
  sagas: Schema.Int,
  ended: Schema.Int,
  policy: Schema.NullOr(Policy),
  applied: Schema.Int,
  /** Of them, effects taken twice under one idempotency key (a service that does not deduplicate). */
  repeated: Schema.Int,
  deciding: Schema.Int,
  /** Events in the outbox, not yet acknowledged. */
  outbox: Schema.Int
})
export type ChoreographyStatus = typeof ChoreographyStatus.Type

const statusOf = (s: ChoreographyNodeState): ChoreographyStatus =>
  s.role === "order"
    ? {
      role: "order",
      sagas: s.sagas.length,
      ended: s.sagas.filter((record) => record.outcome !== null).length,
      policy: null,
      applied: 0,
      repeated: 0,
      deciding: 0,
      outbox: s.outbox.length
    }
    : { role: "service", sagas: 0, ended: 0, policy: s.policy, applied: s.ledger.length, repeated: repeatedEffects(s.ledger), deciding: s.deciding.length,
      outbox: s.outbox.length }

export const choreographyHosted = hostedSpec({
  name: "saga-choreography",
  message: ChoreographyMessage,
  request: SagaRequest,
  response: ChoreographyResponse,
  durable: ChoreographyDurable,
  options: SagaHostOptions,
  variants: choreographySpec.variants,
  actor: hostedChoreographyActor,
  layout: sagaLayout(ORDER),
  timerKind: (timer: ChoreographyTimer) => timer._tag.toLowerCase(),
  timers: choreographyTimerDefaults,
  api: sagaApi<ChoreographyNodeState, ChoreographyResponse, ChoreographyStatus>({ schema: ChoreographyStatus, of: statusOf }, ChoreographyReport)
})
