/** The actors of the choreographed saga: the order service, and one service per step, each given its own configuration. */
import { step } from "@parley/core"
import type { Actor } from "@parley/core"
import type { SagaStep } from "../steps.ts"
import type { ChoreographyDurable, ChoreographyMessage, ChoreographyRequest, ChoreographyResponse, ChoreographyTimer } from "./messages.ts"
import { orderDurable, orderInit, orderOnMessage, orderOnTimer, orderRecover } from "./order.ts"
import type { OrderState } from "./order.ts"
import {
  choreographyServiceDurable,
  choreographyServiceOnMessage,
  choreographyServiceOnTimer,
  choreographyServiceRecover,
  initialChoreographyService
} from "./service.ts"
import type { ChoreographyServiceState, ServiceConfig } from "./service.ts"

export type ChoreographyNodeState = OrderState | ChoreographyServiceState

export type ChoreographyActor = Actor<
  ChoreographyNodeState,
  ChoreographyMessage,
  ChoreographyTimer,
  ChoreographyRequest,
  ChoreographyResponse,
  ChoreographyDurable
>

const wrongRecord = (node: string, tag: string): never => {
  throw new TypeError(`saga-choreography: the ${node} cannot recover from a durable record tagged ${tag}`)
}

export const orderActor = (steps: ReadonlyArray<SagaStep>, retries: number): ChoreographyActor => ({
  init: () => orderInit(steps),
  onMessage: (s, from, m) => (s.role === "order" ? orderOnMessage(steps, s, from, m) : step(s)),
  onTimer: (s, timer) => (s.role === "order" ? orderOnTimer(retries, s, timer) : step(s)),
  // The order is placed when the order service starts; it takes no requests.
  onRequest: (s) => step(s),
  durable: (s) => (s.role === "order" ? orderDurable(s) : choreographyServiceDurable(s)),
  recover: (_ctx, d) => (d._tag === "Order" ? orderRecover(d) : wrongRecord("order service", d._tag))
})

export const choreographyServiceActor = (config: ServiceConfig): ChoreographyActor => ({
  init: () => step(initialChoreographyService),
  onMessage: (s, from, m) => (s.role === "service" ? choreographyServiceOnMessage(config, s, from, m) : step(s)),
  onTimer: (s, timer) => (s.role === "service" ? choreographyServiceOnTimer(config, s, timer) : step(s)),
  onRequest: (s) => step(s),
  durable: (s) => (s.role === "service" ? choreographyServiceDurable(s) : orderDurable(s)),
  recover: (_ctx, d) => (d._tag === "Service" ? choreographyServiceRecover(config, d) : wrongRecord("service", d._tag))
})
