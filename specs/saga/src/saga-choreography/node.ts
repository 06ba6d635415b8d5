/** The actors of the choreographed saga: the order service, and one service per step, each given its own configuration. */
import { step } from "@parley/core"
import type { Actor } from "@parley/core"
import type { Policy } from "../policy.ts"
import type { SagaRequest } from "../requests.ts"
import type { Chain } from "./chain.ts"
import type { ChoreographyDurable, ChoreographyMessage, ChoreographyTimer } from "./messages.ts"
import { orderDurable, orderInit, orderOnMessage, orderOnRequest, orderOnTimer, orderRecover } from "./order.ts"
import type { OrderState } from "./order.ts"
import {
  choreographyServiceDurable,
  choreographyServiceOnMessage,
  choreographyServiceOnRequest,
  choreographyServiceOnTimer,
  choreographyServiceRecover,
  initialChoreographyService
} from "./service.ts"
import type { ChoreographyServiceState, ServiceConfig } from "./service.ts"
import type { ChoreographyResponse } from "./responses.ts"

export type ChoreographyNodeState = OrderState | ChoreographyServiceState

export type ChoreographyActor = Actor<
  ChoreographyNodeState,
  ChoreographyMessage,
  ChoreographyTimer,
  SagaRequest,
  ChoreographyResponse,
  ChoreographyDurable
>

const wrongRecord = (node: string, tag: string): never => {
  throw new TypeError(`saga-choreography: the ${node} cannot recover from a durable record tagged ${tag}`)
}

/** `initialSagas`: the orders placed at start-up, the model's one; a hosted order service places them on request. */
export const orderActor = (chain: Chain, retries: number, initialSagas: ReadonlyArray<string>): ChoreographyActor => ({
  init: () => orderInit(chain, initialSagas),
  onMessage: (s, from, m) => (s.role === "order" ? orderOnMessage(chain, s, from, m) : step(s)),
  onTimer: (s, timer) => (s.role === "order" ? orderOnTimer(retries, s, timer) : step(s)),
  onRequest: (s, client, request) => (s.role === "order" ? orderOnRequest(chain, s, client, request) : step(s)),
  durable: (s) => (s.role === "order" ? orderDurable(s) : choreographyServiceDurable(s)),
  recover: (_ctx, d) => (d._tag === "Order" ? orderRecover(d) : wrongRecord("order service", d._tag))
})

/** `policy`: how the service decides until told otherwise (the model's `either`). */
export const choreographyServiceActor = (config: ServiceConfig, policy: Policy): ChoreographyActor => ({
  init: () => step(initialChoreographyService(config.step, policy)),
  onMessage: (s, from, m) => (s.role === "service" ? choreographyServiceOnMessage(config, s, from, m) : step(s)),
  onTimer: (s, timer) => (s.role === "service" ? choreographyServiceOnTimer(config, s, timer) : step(s)),
  onRequest: (s, client, request) => (s.role === "service" ? choreographyServiceOnRequest(config, s, client, request) : step(s)),
  durable: (s) => (s.role === "service" ? choreographyServiceDurable(s) : orderDurable(s)),
  recover: (_ctx, d) => (d._tag === "Service" ? choreographyServiceRecover(config, d) : wrongRecord("service", d._tag))
})
